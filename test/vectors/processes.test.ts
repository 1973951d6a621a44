import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openPostgres } from '../../src/database/db.js';
import { outboxStats } from '../../src/database/outbox.js';
import { createContext, type AppContext } from '../../src/services/context.js';
import * as library from '../../src/services/library.js';
import { verifyVectors } from '../../src/services/vectors.js';
import { runCli, spawnCli, stopCli, until, type CliProcess } from '../helpers/cli.js';
import { createTestSchema, dropTestSchema, schemaDatabaseUrl, TEST_DATABASE_URL } from '../helpers/db.js';
import { startQdrant, type TestQdrant } from '../helpers/qdrant.js';
import { startQdrantProxy, type QdrantProxy } from '../helpers/qdrant-proxy.js';
import { makeTestVideo } from '../helpers/videos.js';

/**
 * Several real processes (`fitness-builder serve` and `worker`) on one PostgreSQL server with
 * Qdrant: a relay killed with kill -9 mid-batch, and the scale-out shape of compose.yaml.
 */
describe('several processes on one PostgreSQL server with Qdrant', { timeout: 600_000 }, () => {
  let qdrant: TestQdrant;
  let proxy: QdrantProxy;
  let schema: string;
  let dataDir: string;
  let ctx: AppContext;
  const procs: CliProcess[] = [];
  let baseEnv: Record<string, string>;

  beforeAll(async () => {
    qdrant = await startQdrant();
    proxy = await startQdrantProxy(qdrant.url);
    schema = await createTestSchema();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-procs-'));
    baseEnv = {
      DATABASE_URL: schemaDatabaseUrl(schema),
      DATA_DIR: dataDir,
      VECTOR_STORE: 'qdrant',
      QDRANT_URL: qdrant.url,
      QDRANT_COLLECTION: 'procs',
      ALLOW_PRIVATE_URLS: 'true',
      OUTBOX_POLL_MS: '100',
    };
    const db = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 4, searchPath: `${schema},public` });
    const { runMigrations } = await import('../../src/database/migrate.js');
    await runMigrations(db);
    ctx = await createContext(loadConfig({ ...baseEnv, QDRANT_TIMEOUT_MS: '5000', OUTBOX_LEASE_SECONDS: '10' }), { db });
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => stopCli(p, 'SIGKILL')));
    await ctx?.close();
    await proxy?.close();
    await qdrant?.stop();
    if (schema) await dropTestSchema(schema);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a relay killed with kill -9 mid-batch: another relay takes the batch over when the lease ends and pushes it exactly once', async () => {
    const rows = await library.addExercises(
      ctx,
      Array.from({ length: 50 }, (_, i) => ({ url: null, normalized_url: `catalogue://kill/${i}`, platform: 'catalogue' as const, exercise_name: `Kill ${i}` })),
    );
    expect((await outboxStats(ctx.db)).pending).toBe(50);
    proxy.mode = 'hold';
    const relay = await spawnCli(
      ['worker'],
      { ...baseEnv, QDRANT_URL: proxy.url, QDRANT_TIMEOUT_MS: '5000', OUTBOX_LEASE_SECONDS: '10', OUTBOX_BATCH_SIZE: '100' },
      /worker \S+ running/,
    );
    procs.push(relay);
    await until(async () => proxy.held > 0, 'the relay process to send its batch');
    await stopCli(relay, 'SIGKILL');
    const leased = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM vector_outbox WHERE locked_by IS NOT NULL');
    expect(leased[0]!.n).toBe(50);
    expect(proxy.writes).toEqual([]);
    proxy.mode = 'pass';
    const proxied = await createContext(loadConfig({ ...baseEnv, QDRANT_URL: proxy.url, QDRANT_TIMEOUT_MS: '5000', OUTBOX_LEASE_SECONDS: '10' }), {
      db: await openPostgres({ url: TEST_DATABASE_URL, poolSize: 2, searchPath: `${schema},public` }),
    });
    try {
      await proxied.relay.drain(60_000);
    } finally {
      await proxied.close();
    }
    const pushes = new Map<string, number>();
    for (const w of proxy.writes) for (const id of w.ids) pushes.set(id, (pushes.get(id) ?? 0) + 1);
    expect(rows.every((r) => pushes.get(r.id) === 1)).toBe(true);
    expect(pushes.size).toBe(50);
    expect((await verifyVectors(ctx)).drift).toBe(0);
  });

  it('the command line: vectors verify exits 7 on drift and prints it, vectors repair fixes it, reindex --to moves the library', async () => {
    const run = (args: string[]) => runCli(args, baseEnv);
    await library.addExercises(
      ctx,
      Array.from({ length: 5 }, (_, i) => ({ url: null, normalized_url: `catalogue://cli/${i}`, platform: 'catalogue' as const, exercise_name: `Cli ${i}` })),
    );
    await ctx.relay.drain(60_000);
    const clean = await run(['vectors', 'verify']);
    expect(clean.out).toMatch(/drift: 0/);
    expect(clean.code).toBe(0);
    const [victim] = (await library.listExercises(ctx, {}, { limit: 1 })).items;
    await ctx.index.delete([victim!.id]);
    const drifted = await run(['vectors', 'verify']);
    expect(drifted.code).toBe(7);
    expect(drifted.out).toContain(`missing ${victim!.id}`);
    const repaired = await run(['vectors', 'repair']);
    expect(repaired.code).toBe(0);
    expect(repaired.out).toMatch(/repaired 1 differences; drift now 0/);
    const moved = await run(['--json', 'reindex', '--to', 'pgvector']);
    expect(moved.code).toBe(0);
    const rows = (await library.getStats(ctx)).total_exercises;
    expect(JSON.parse(moved.out)).toEqual({ store: 'pgvector', embedded: rows });
    expect(await ctx.db.query('SELECT 1 FROM vector_index_state WHERE backend = $1', ['qdrant'])).toEqual([]);
    const back = await run(['--json', 'reindex', '--to', 'qdrant']);
    expect(back.code).toBe(0);
    expect((await verifyVectors(ctx)).drift).toBe(0);
  });

  it('two serve and two worker processes: each job done once, both APIs answer the same, deletes reach Qdrant, 0 drift', async () => {
    const video = path.join(dataDir, 'source.mp4');
    await makeTestVideo(video, { duration: 6, scenes: [3], audio: true, label: false });
    const bytes = fs.readFileSync(video);
    const media = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': bytes.length }).end(bytes));
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
    const mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}`;
    try {
      const apis = await Promise.all(
        [0, 1].map(() => spawnCli(['serve', '--no-worker'], { ...baseEnv, PORT: '0' }, /Fitness Builder (http:\/\/\S+) /)),
      );
      procs.push(...apis);
      const workers = await Promise.all([0, 1].map(() => spawnCli(['worker'], baseEnv, /worker \S+ running/)));
      procs.push(...workers);
      const urls = apis.map((a) => a.match[1]!);
      const call = async (base: string, p: string, init: RequestInit & { json?: unknown } = {}) => {
        const { json, ...rest } = init;
        const res = await fetch(`${base}${p}`, {
          ...rest,
          headers: json !== undefined ? { 'content-type': 'application/json' } : {},
          ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
        });
        return { status: res.status, body: (await res.json()) as any };
      };
      const jobs: string[] = [];
      for (let i = 0; i < 6; i++) {
        const submitted = await call(urls[i % 2]!, '/api/v1/process', {
          method: 'POST',
          json: {
            url: `${mediaUrl}/video-${i}.mp4`,
            background: true,
            exercises: [
              { name: `Squat ${i}`, start_time: 0, end_time: 3 },
              { name: `Lunge ${i}`, start_time: 3, end_time: 6 },
            ],
          },
        });
        expect(submitted.status).toBe(200);
        jobs.push(submitted.body.job_id);
      }
      await until(async () => {
        const states = await Promise.all(jobs.map((id, i) => call(urls[(i + 1) % 2]!, `/api/v1/job-status/${id}`)));
        return states.every((s) => s.body.status === 'done' || s.body.status === 'failed');
      }, 'the jobs to finish');
      const runs = await ctx.db.query<{ status: string; attempts: number; exercises: number }>(
        `SELECT j.status, j.attempts, (SELECT count(*)::int FROM exercises e WHERE e.job_id = j.id) AS exercises FROM jobs j WHERE j.id = ANY($1::uuid[])`,
        [jobs],
      );
      expect(runs).toHaveLength(6);
      for (const r of runs) expect(r).toEqual({ status: 'done', attempts: 1, exercises: 2 });
      await until(async () => (await outboxStats(ctx.db)).pending === 0, 'the relays to drain');

      const search = (base: string) =>
        call(base, '/api/v1/exercises/search', { method: 'POST', json: { query: 'squat', limit: 20, filters: { has_clip: true } } });
      const [a, b] = await Promise.all(urls.map(search));
      expect(a!.body.ranker).toBe('hybrid');
      expect(a!.body.results.length).toBe(12);
      expect(b!.body.results.map((r: any) => r.exercise.id)).toEqual(a!.body.results.map((r: any) => r.exercise.id));

      const victim: string = a!.body.results[0].exercise.id;
      expect((await call(urls[0]!, `/api/v1/exercises/${victim}`, { method: 'DELETE' })).status).toBe(200);
      await until(async () => (await outboxStats(ctx.db)).pending === 0, 'the delete to reach Qdrant');
      expect((await ctx.index.vectors([victim])).size).toBe(0);
      const after = await search(urls[1]!);
      expect(after.body.results.map((r: any) => r.exercise.id)).not.toContain(victim);
      expect(after.body.results.length).toBe(11);
      expect((await verifyVectors(ctx)).drift).toBe(0);
      await Promise.all([...apis, ...workers].map((p) => stopCli(p)));
    } finally {
      media.close();
    }
  });
});
