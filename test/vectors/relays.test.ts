import { QdrantClient } from '@qdrant/js-client-rest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openPostgres } from '../../src/database/db.js';
import { runMigrations } from '../../src/database/migrate.js';
import { outboxStats } from '../../src/database/outbox.js';
import { buildExerciseChunk } from '../../src/language/chunk.js';
import { createContext, type AppContext } from '../../src/services/context.js';
import * as library from '../../src/services/library.js';
import { cosine } from '../../src/search/mmr.js';
// Seeded, so a failing run can be replayed.
import { seededRandom } from '../../bench/judgments.js';
import { exercisePayload } from '../../src/vectors/qdrant-filter.js';
import { runCli, spawnCli, stopCli, until, type CliProcess } from '../helpers/cli.js';
import { createTestSchema, dropTestSchema, schemaDatabaseUrl, TEST_DATABASE_URL } from '../helpers/db.js';
import { startQdrant, type TestQdrant } from '../helpers/qdrant.js';
import { startQdrantProxy, type PointWrite, type ProxyMode, type QdrantProxy } from '../helpers/qdrant-proxy.js';

/**
 * Two real `serve` processes, each running its outbox relay, on one PostgreSQL schema with one
 * Qdrant. Each process reaches Qdrant through its own proxy, so every point write is known by
 * sender and by the order Qdrant answered it. Exercises are created (as `import` would, from a
 * third connection), edited and deleted through both APIs while the proxies pass, slow down, fail,
 * and stall writes past the client's timeout; afterwards Qdrant must hold exactly the rows, each
 * with the vector and payload of its current state.
 */
const COLLECTION = 'relays';
const TIMEOUT_MS = 1000;
/** Phases of the run: what each process's proxy does while one round of writes goes through the APIs. */
type Fault = { mode: ProxyMode; slowMs?: number };
const PASS: Fault = { mode: 'pass' };
const SLOW: Fault = { mode: 'slow', slowMs: TIMEOUT_MS / 3 };
// Past the client's timeout: the relay gives up while the proxy still delivers the write later,
// as a store that applies a request its client abandoned would.
const LATE: Fault = { mode: 'slow', slowMs: TIMEOUT_MS * 1.6 };
const PHASES: [Fault, Fault][] = [
  [PASS, PASS],
  [SLOW, SLOW],
  [{ mode: 'fail' }, { mode: 'fail' }],
  [LATE, PASS],
  [PASS, LATE],
  [LATE, LATE],
  [SLOW, PASS],
  [PASS, PASS],
];
const PER_ROUND = 12;

describe('two serve processes, each with its relay, on one PostgreSQL server and one Qdrant', { timeout: 600_000 }, () => {
  let qdrant: TestQdrant;
  const proxies: QdrantProxy[] = [];
  let schema: string;
  let dataDir: string;
  let ctx: AppContext;
  let env: Record<string, string>;
  const apis: CliProcess[] = [];

  beforeAll(async () => {
    qdrant = await startQdrant();
    proxies.push(await startQdrantProxy(qdrant.url), await startQdrantProxy(qdrant.url));
    schema = await createTestSchema();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-relays-'));
    env = {
      DATABASE_URL: schemaDatabaseUrl(schema),
      DATA_DIR: dataDir,
      VECTOR_STORE: 'qdrant',
      QDRANT_URL: qdrant.url,
      QDRANT_COLLECTION: COLLECTION,
      ALLOW_PRIVATE_URLS: 'true',
    };
    const db = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 4, searchPath: `${schema},public` });
    await runMigrations(db);
    // The test's own context writes rows and reads the truth; its relay is never started.
    ctx = await createContext(loadConfig(env), { db });
  });
  afterAll(async () => {
    await Promise.all(apis.map((p) => stopCli(p, 'SIGKILL')));
    await ctx?.close();
    await Promise.all(proxies.map((p) => p.close()));
    await qdrant?.stop();
    if (schema) await dropTestSchema(schema);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('edits and deletes through both APIs while Qdrant is slow or failing: no stale upsert lands after a delete, Qdrant ends equal to PostgreSQL', async () => {
    const relayEnv = (proxy: QdrantProxy) => ({
      ...env,
      PORT: '0',
      QDRANT_URL: proxy.url,
      QDRANT_TIMEOUT_MS: String(TIMEOUT_MS),
      // Three timeouts: a write abandoned by its relay may still land up to two timeouts later
      // (the LATE phases stay inside that), and no other relay touches the exercise before then.
      OUTBOX_LEASE_SECONDS: String((3 * TIMEOUT_MS) / 1000),
      // Small batches and quick polls: many batches from both relays, overlapping.
      OUTBOX_BATCH_SIZE: '4',
      OUTBOX_POLL_MS: '50',
    });
    apis.push(...(await Promise.all(proxies.map((p) => spawnCli(['serve', '--no-worker'], relayEnv(p), /Fitness Builder (http:\/\/\S+) /)))));
    const urls = apis.map((a) => (a as CliProcess & { match: RegExpMatchArray }).match[1]!);
    const call = async (base: string, p: string, init: { method: string; json?: unknown }) => {
      const res = await fetch(`${base}${p}`, {
        method: init.method,
        ...(init.json !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.json) } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    const random = seededRandom(10);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const live = new Set<string>();
    const deleted = new Set<string>();
    let created = 0;
    for (const [round, phase] of PHASES.entries()) {
      proxies.forEach((p, i) => {
        p.mode = phase[i]!.mode;
        p.slowMs = phase[i]!.slowMs ?? 0;
      });
      const rows = await library.addExercises(
        ctx,
        Array.from({ length: PER_ROUND }, () => ({
          url: null,
          normalized_url: `catalogue://relays/${created++}`,
          platform: 'catalogue' as const,
          exercise_name: `Relay ${created}`,
          category: 'strength',
        })),
      );
      for (const r of rows) live.add(r.id);
      // Every live exercise gets one to three edits, a third of them then a delete, each through
      // either API; exercises go concurrently, so both processes write the same ids at once.
      const plans = [...live].map((id) => ({
        id,
        edits: Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
          api: pick(urls),
          patch: { exercise_name: `Relay edit ${round}-${Math.floor(random() * 1e6)}`, category: pick(['strength', 'cardio', 'stretching']), intensity: 1 + Math.floor(random() * 5) },
        })),
        remove: random() < 1 / 3 ? pick(urls) : null,
      }));
      await Promise.all(
        plans.map(async (plan) => {
          for (const edit of plan.edits) expect((await call(edit.api, `/api/v1/exercises/${plan.id}`, { method: 'PATCH', json: edit.patch })).status).toBe(200);
          if (plan.remove) {
            expect((await call(plan.remove, `/api/v1/exercises/${plan.id}`, { method: 'DELETE' })).status).toBe(200);
            live.delete(plan.id);
            deleted.add(plan.id);
          }
        }),
      );
      // Let the relays work on this round in this phase before the next one starts (pacing, not an assertion).
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }

    for (const p of proxies) p.mode = 'pass';
    await until(async () => (await outboxStats(ctx.db)).pending === 0, 'both relays to drain the outbox', 240_000);

    // Both processes' relays pushed, and some of their batches were in Qdrant's hands at the same time.
    const [a, b] = proxies.map((p) => p.writes);
    expect(a!.length).toBeGreaterThan(0);
    expect(b!.length).toBeGreaterThan(0);
    const overlapping = a!.some((x) => b!.some((y) => x.sentAt! < y.answeredAt! && y.sentAt! < x.answeredAt!));
    expect(overlapping).toBe(true);
    // Some writes reached Qdrant after their relay had given up on them: the case that could reorder.
    expect([...a!, ...b!].some((w) => w.abandoned)).toBe(true);

    // In the order Qdrant answered, the last write of each exercise is its current state.
    const writes: PointWrite[] = [...a!, ...b!].sort((x, y) => x.order! - y.order!);
    const lastOp = new Map<string, PointWrite['op']>();
    const upsertedThenDeleted = new Set<string>();
    for (const w of writes) {
      for (const id of w.ids) {
        if (w.op === 'delete' && lastOp.get(id) === 'upsert') upsertedThenDeleted.add(id);
        lastOp.set(id, w.op);
      }
    }
    expect(upsertedThenDeleted.size).toBeGreaterThan(0);
    for (const id of deleted) expect(lastOp.get(id) ?? 'delete', `last write for deleted ${id}`).toBe('delete');
    for (const id of live) expect(lastOp.get(id), `last write for live ${id}`).toBe('upsert');

    // Qdrant holds exactly the rows, each with the vector and payload of the row as it is now.
    const rows = await library.getExercisesByIds(ctx, [...live]);
    expect(rows).toHaveLength(live.size);
    const { count } = await new QdrantClient({ url: qdrant.url, checkCompatibility: false }).count(COLLECTION, { exact: true });
    expect(count).toBe(live.size);
    const points = await new QdrantClient({ url: qdrant.url, checkCompatibility: false }).retrieve(COLLECTION, {
      ids: [...live, ...deleted],
      with_payload: true,
      with_vector: true,
    });
    expect(new Set(points.map((p) => String(p.id)))).toEqual(live);
    const status = ctx.index.status();
    if (!status.available) throw new Error(status.reason);
    const expected = await ctx.embedder.embed(rows.map((r) => buildExerciseChunk(r)), 'document');
    const byId = new Map(points.map((p) => [String(p.id), p]));
    rows.forEach((row, i) => {
      const point = byId.get(row.id)!;
      expect(point.payload, `payload of ${row.id}`).toEqual({ ...exercisePayload(row, status.model) });
      expect(cosine(point.vector as number[], expected[i]!), `vector of ${row.id}`).toBeGreaterThan(0.9999);
    });

    const verify = await runCli(['vectors', 'verify'], env);
    expect(verify.out).toMatch(/drift: 0/);
    expect(verify.code).toBe(0);
    await Promise.all(apis.map((p) => stopCli(p)));
  });
});
