import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxStats } from '../../src/database/outbox.js';
import { importCatalogue } from '../../src/services/catalogue.js';
import * as library from '../../src/services/library.js';
import { searchExercises } from '../../src/services/search.js';
import { verifyVectors } from '../../src/services/vectors.js';
import { openPostgres } from '../../src/database/db.js';
import { createContext, type AppContext } from '../../src/services/context.js';
import { createQdrantIndex } from '../../src/vectors/qdrant.js';
import { createOutboxRelay } from '../../src/vectors/relay.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { BACKENDS, TEST_DATABASE_URL } from '../helpers/db.js';
import { startQdrant, type TestQdrant } from '../helpers/qdrant.js';
import { startQdrantProxy, type QdrantProxy } from '../helpers/qdrant-proxy.js';

/**
 * Faults between PostgreSQL and Qdrant: each ends with the relay drained and no drift between
 * the rows and the points.
 */
const CATALOGUE = '/work/shared/data/free-exercise-db/exercises.json';
const CATALOGUE_SIZE = (JSON.parse(fs.readFileSync(CATALOGUE, 'utf8')) as unknown[]).length;

let qdrant: TestQdrant;
beforeAll(async () => {
  qdrant = await startQdrant();
});
afterAll(async () => qdrant?.stop());

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(BACKENDS)('outbox faults on %s', { timeout: 300_000 }, (backend) => {
  let t: TestContext;
  const env = (collection: string, url = qdrant.url) => ({
    VECTOR_STORE: 'qdrant',
    QDRANT_URL: url,
    QDRANT_COLLECTION: `${collection}_${backend}`,
    OUTBOX_POLL_MS: '50',
  });
  afterAll(async () => t?.close());

  it(`Qdrant killed during an import of the ${CATALOGUE_SIZE}-exercise catalogue: the import finishes, the outbox drains after a restart`, async () => {
    t = await createTestContext(backend, env('import'));
    t.ctx.relay.start();
    let killed = false;
    const importing = importCatalogue(t.ctx, CATALOGUE, {
      onProgress: (done) => {
        if (!killed && done >= 200) {
          killed = true;
          void qdrant.kill();
        }
      },
    });
    const result = await importing;
    expect(killed).toBe(true);
    expect(result.inserted).toBe(CATALOGUE_SIZE);
    expect((await outboxStats(t.ctx.db)).pending).toBeGreaterThan(0);
    await qdrant.start();
    await until(async () => (await outboxStats(t.ctx.db)).pending === 0, 'the outbox to drain', 120_000);
    expect(await t.ctx.index.count()).toBe(CATALOGUE_SIZE);
    expect((await verifyVectors(t.ctx)).drift).toBe(0);
  });

  it('Qdrant down during deletes: the deletes succeed at once, the points go once it is back', async () => {
    const victims = (await library.listExercises(t.ctx, {}, { limit: 25 })).items.map((e) => e.id);
    await qdrant.kill();
    for (const id of victims) await library.deleteExercise(t.ctx, id);
    expect(await library.getExercisesByIds(t.ctx, victims)).toEqual([]);
    expect((await outboxStats(t.ctx.db)).pending).toBeGreaterThanOrEqual(victims.length);
    await qdrant.start();
    await until(async () => (await outboxStats(t.ctx.db)).pending === 0, 'the outbox to drain');
    expect((await t.ctx.index.vectors(victims)).size).toBe(0);
    expect((await verifyVectors(t.ctx)).drift).toBe(0);
    await t.ctx.relay.stop();
  });

  describe('Qdrant answering 500s, then very slowly, for a while (a proxy in front of it)', () => {
    let proxy: QdrantProxy;
    let p: TestContext;
    beforeAll(async () => {
      proxy = await startQdrantProxy(qdrant.url);
      p = await createTestContext(backend, { ...env('proxy', proxy.url), QDRANT_TIMEOUT_MS: '1000', OUTBOX_LEASE_SECONDS: '2' });
      // A loaded machine can miss the short timeout on the first request: the store must be up before faults start.
      await until(async () => (await p.ctx.index.init()).available, 'Qdrant through the proxy');
    });
    afterAll(async () => {
      await p?.close();
      await proxy?.close();
    });

    it.each(['fail', 'slow'] as const)('%s: writes succeed, pushes back off and keep their entries, search degrades; all lands after', async (mode) => {
      proxy.mode = mode;
      proxy.slowMs = 2500;
      const added = await library.addExercises(
        p.ctx,
        Array.from({ length: 10 }, (_, i) => ({
          url: null,
          normalized_url: `catalogue://faults/${mode}-${i}`,
          platform: 'catalogue' as const,
          exercise_name: `Fault ${mode} hamstring stretch ${i}`,
          category: 'stretching',
        })),
      );
      expect(added).toHaveLength(10);
      const pass = await p.ctx.relay.runOnce();
      expect(pass).toMatchObject({ claimed: 10, failed: 10 });
      const [row] = await p.ctx.db.query<{ attempts: number; last_error: string }>('SELECT attempts, last_error FROM vector_outbox ORDER BY seq LIMIT 1');
      expect(row!.attempts).toBe(1);
      expect(row!.last_error).toMatch(/Qdrant unavailable/);
      const found = await searchExercises(p.ctx, 'hamstring stretch', { limit: 5 });
      expect(found).toMatchObject({ ranker: 'fulltext' });
      expect(found.degraded).toMatch(/Qdrant unavailable/);
      proxy.mode = 'pass';
      await p.ctx.relay.drain(60_000);
      expect((await verifyVectors(p.ctx)).drift).toBe(0);
      expect((await searchExercises(p.ctx, 'hamstring stretch', { limit: 5 })).ranker).toBe('hybrid');
    });

    it('a push that timed out but still reaches Qdrant later cannot overtake the next relay\'s delete of the same exercise', async () => {
      const status = p.ctx.index.status();
      if (!status.available) throw new Error(status.reason);
      const { outboxLeaseSeconds, qdrantTimeoutMs } = p.config.vectors;
      // The second relay reaches Qdrant directly: its delete lands at once, ahead of anything the proxy still holds.
      const index = createQdrantIndex({
        db: p.ctx.db,
        url: qdrant.url,
        collection: p.config.vectors.qdrantCollection,
        model: status.model,
        dimensions: status.dimensions,
        timeoutMs: qdrantTimeoutMs,
      });
      await index.init();
      const direct = createOutboxRelay({ db: p.ctx.db, index, embedder: p.ctx.embedder, leaseSeconds: outboxLeaseSeconds, requestTimeoutMs: qdrantTimeoutMs });
      const [row] = await library.addExercises(p.ctx, [{ url: null, normalized_url: 'catalogue://faults/late', platform: 'catalogue', exercise_name: 'Late upsert' }]);
      proxy.mode = 'slow';
      // Past the relay's 1 s timeout, inside its 2 s lease.
      proxy.slowMs = 1400;
      try {
        expect(await p.ctx.relay.runOnce()).toMatchObject({ claimed: 1, failed: 1 });
        await library.deleteExercise(p.ctx, row!.id);
        await direct.drain(60_000);
        // Earlier tests' abandoned writes may still arrive: this exercise's is the one that matters.
        const late = () => proxy.writes.find((w) => w.ids.includes(row!.id));
        await until(async () => late() !== undefined, 'the abandoned upsert to reach Qdrant');
        expect(late()).toMatchObject({ op: 'upsert', abandoned: true });
      } finally {
        proxy.mode = 'pass';
      }
      // The retry waited for the lease to end, so the delete came after the late upsert.
      expect((await p.ctx.index.vectors([row!.id])).size).toBe(0);
      expect((await verifyVectors(p.ctx)).drift).toBe(0);
    });

    it('two relays at once never push a stale upsert after a newer delete of the same exercise', async () => {
      // On the server the second relay has its own pool and context, as a second process would; PGlite
      // is one process's database, so there the second relay shares the context's connection.
      let second: AppContext | null = null;
      if (backend === 'postgres') {
        const [{ schema } = { schema: '' }] = await p.ctx.db.query<{ schema: string }>('SELECT current_schema() AS schema');
        const db = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 4, searchPath: `${schema},public` });
        second = await createContext(p.config, { db });
      }
      const relays = [p.ctx.relay, second?.relay ?? createOutboxRelay({ db: p.ctx.db, index: p.ctx.index, embedder: p.ctx.embedder })];
      expect(relays[0]!.id).not.toBe(relays[1]!.id);
      try {
        proxy.writes.length = 0;
        const rows = await library.addExercises(
          p.ctx,
          Array.from({ length: 40 }, (_, i) => ({
            url: null,
            normalized_url: `catalogue://faults/race-${i}`,
            platform: 'catalogue' as const,
            exercise_name: `Race ${i}`,
            category: 'strength',
          })),
        );
        const drains = relays.map((r) => r.drain(60_000));
        // Edits and deletes race the relays: each exercise is edited then deleted.
        for (const row of rows) {
          await library.updateExercise(p.ctx, row.id, { category: 'cardio' });
          await library.deleteExercise(p.ctx, row.id);
        }
        await Promise.all(drains);
        await Promise.all(relays.map((r) => r.drain(60_000)));
        for (const row of rows) {
          const ops = proxy.writes.filter((w) => w.ids.includes(row.id)).map((w) => w.op);
          expect(ops.at(-1), `last write for ${row.id}`).toBe('delete');
        }
        expect((await p.ctx.index.vectors(rows.map((r) => r.id))).size).toBe(0);
        expect((await verifyVectors(p.ctx)).drift).toBe(0);
      } finally {
        await second?.close();
      }
    });
  });
});
