import fs from 'node:fs';
import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchExercises as listExercises } from '../../src/database/exercises.js';
import { outboxStats } from '../../src/database/outbox.js';
import type { ExerciseFilters } from '../../src/database/types.js';
import { buildExerciseChunk } from '../../src/language/chunk.js';
import { cosine } from '../../src/search/mmr.js';
import { mapCatalogueEntry, type CatalogueEntry } from '../../src/services/catalogue.js';
import * as library from '../../src/services/library.js';
import { reindex, repairVectors, verifyVectors } from '../../src/services/vectors.js';
import { createQdrantIndex } from '../../src/vectors/qdrant.js';
import { PAYLOAD_INDEXES } from '../../src/vectors/qdrant-filter.js';
import { BACKENDS } from '../helpers/db.js';
import { startQdrant, type TestQdrant } from '../helpers/qdrant.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CATALOGUE = '/work/shared/data/free-exercise-db/exercises.json';
const ROWS = 150;

let qdrant: TestQdrant;
beforeAll(async () => {
  qdrant = await startQdrant();
});
afterAll(async () => qdrant?.stop());

describe.each(BACKENDS)('Qdrant vector store on %s', (backend) => {
  let s: TestServer;
  let client: QdrantClient;
  const collection = `test_${backend}`;

  beforeAll(async () => {
    s = await startTestServer(backend, { VECTOR_STORE: 'qdrant', QDRANT_URL: qdrant.url, QDRANT_COLLECTION: collection, OUTBOX_POLL_MS: '50' });
    client = new QdrantClient({ url: qdrant.url, checkCompatibility: false });
    const entries = (JSON.parse(fs.readFileSync(CATALOGUE, 'utf8')) as CatalogueEntry[]).slice(0, ROWS);
    await library.addExercises(s.ctx, entries.map((e) => mapCatalogueEntry(e)));
  });
  afterAll(async () => s?.close());

  it('creates the collection for the embedder: cosine, its dimensions, its model, a payload index per filter field', async () => {
    const info = await client.getCollection(collection);
    expect(info.config.params.vectors).toMatchObject({ size: s.ctx.embedder.dimensions, distance: 'Cosine' });
    expect((info.config as { metadata?: Record<string, unknown> }).metadata).toMatchObject({ model: s.ctx.embedder.model });
    expect(Object.keys(info.payload_schema ?? {}).sort()).toEqual(Object.keys(PAYLOAD_INDEXES).sort());
    expect(s.ctx.index).toMatchObject({ backend: 'qdrant', consistency: 'outbox' });
  });

  it('writes reach Qdrant through the outbox: one entry per row in the write transaction, none after the relay drains', async () => {
    expect((await outboxStats(s.ctx.db)).pending).toBe(ROWS);
    await s.ctx.relay.drain();
    expect(await s.ctx.index.count()).toBe(ROWS);
    expect((await verifyVectors(s.ctx)).drift).toBe(0);
    const [point] = await client.retrieve(collection, { ids: [(await library.listExercises(s.ctx, {}, { limit: 1 })).items[0]!.id], with_payload: true });
    expect(point!.payload).toMatchObject({ model: s.ctx.embedder.model, platform: 'catalogue' });
  });

  const FILTERS: [string, ExerciseFilters][] = [
    ['no filter', {}],
    ['broad: strength', { category: ['strength'] }],
    ['selective: stretching for hamstrings up to level 2', { category: ['stretching'], muscles: ['hamstrings'], fitness_level: { max: 2 } }],
    ['equipment and intensity', { equipment: ['dumbbell'], intensity: { min: 6 } }],
    ['name substring', { name: 'curl' }],
    ['force: pull', { force: ['pull'] }],
  ];

  it.each(FILTERS)('search with %s returns the exact top 10 among matching rows, filtered inside Qdrant', async (_label, filters) => {
    const [query] = await s.ctx.embedder.embed(['hamstring stretch with a band'], 'query');
    const matching = (await listExercises(s.ctx.db, filters, { limit: 1000 })).items;
    expect(matching.length).toBeGreaterThan(0);
    const vectors = await s.ctx.embedder.embed(matching.map((e) => buildExerciseChunk(e)), 'document');
    const exact = matching.map((e, i) => ({ id: e.id, score: cosine(query!, vectors[i]!) })).sort((a, b) => b.score - a.score).slice(0, 10);
    const hits = await s.ctx.index.search(query!, { limit: 10, filters });
    expect(hits.length).toBe(exact.length);
    const allowed = new Set(matching.map((e) => e.id));
    for (const h of hits) expect(allowed.has(h.id)).toBe(true);
    hits.forEach((h, i) => expect(h.score).toBeCloseTo(exact[i]!.score, 4));
  });

  it('applies a score threshold in Qdrant', async () => {
    const [query] = await s.ctx.embedder.embed(['barbell squat'], 'query');
    const all = await s.ctx.index.search(query!, { limit: 50 });
    const cut = all.findIndex((h, i) => i >= 3 && h.score < all[i - 1]!.score - 1e-4);
    expect(cut).toBeGreaterThan(0);
    const threshold = (all[cut - 1]!.score + all[cut]!.score) / 2;
    const above = await s.ctx.index.search(query!, { limit: 50, scoreThreshold: threshold });
    expect(above.map((h) => h.id)).toEqual(all.slice(0, cut).map((h) => h.id));
  });

  it('hybrid and diverse search run on Qdrant results (MMR reads the vectors back)', async () => {
    const hybrid = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'hamstring stretch', limit: 5 } });
    expect(hybrid.status).toBe(200);
    expect(hybrid.body.ranker).toBe('hybrid');
    expect(hybrid.headers.get('x-search-degraded')).toBeNull();
    const diverse = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'upper body', limit: 5, diverse: true } });
    expect(diverse.body.ranker).toBe('diverse');
    expect(diverse.body.results).toHaveLength(5);
    const ids: string[] = diverse.body.results.map((r: { exercise: { id: string } }) => r.exercise.id);
    expect((await s.ctx.index.vectors(ids)).size).toBe(5);
  });

  it('an edit moves the payload; a delete is done when the row is gone, the point follows after the relay', async () => {
    const target = (await library.listExercises(s.ctx, { category: ['strength'] }, { limit: 2 })).items;
    await library.updateExercise(s.ctx, target[0]!.id, { category: 'plyometrics-test' });
    await library.deleteExercise(s.ctx, target[1]!.id);
    expect(await library.getExercisesByIds(s.ctx, [target[1]!.id])).toEqual([]);
    expect((await client.retrieve(collection, { ids: [target[1]!.id] })).length).toBe(1);
    await s.ctx.relay.drain();
    expect((await client.retrieve(collection, { ids: [target[1]!.id] })).length).toBe(0);
    const [query] = await s.ctx.embedder.embed(['anything'], 'query');
    const hits = await s.ctx.index.search(query!, { limit: 10, filters: { category: ['plyometrics-test'] } });
    expect(hits.map((h) => h.id)).toEqual([target[0]!.id]);
  });

  it('verify finds drift made behind its back and repair removes it', async () => {
    const [victim] = (await library.listExercises(s.ctx, {}, { limit: 1 })).items;
    await client.delete(collection, { wait: true, points: [victim!.id] });
    await client.upsert(collection, {
      wait: true,
      points: [{ id: '00000000-0000-4000-8000-000000000001', vector: Array(s.ctx.embedder.dimensions).fill(0.1), payload: { model: 'stale' } }],
    });
    const drift = await verifyVectors(s.ctx);
    expect(drift).toMatchObject({ missing: [victim!.id], extra: ['00000000-0000-4000-8000-000000000001'], drift: 3 });
    await repairVectors(s.ctx, { timeoutMs: 30_000 });
    expect((await verifyVectors(s.ctx)).drift).toBe(0);
  });

  it('reports a collection made for another model and reindex rebuilds it', async () => {
    const other = createQdrantIndex({ db: s.ctx.db, url: qdrant.url, collection, model: 'other:model', dimensions: s.ctx.embedder.dimensions });
    const status = await other.init();
    expect(status).toMatchObject({ available: true, needsReindex: true });
    expect((status as { message: string }).message).toContain('fitness-builder reindex');
    await other.reset();
    expect(await s.ctx.index.init()).toMatchObject({ needsReindex: true });
    const result = await reindex(s.ctx);
    expect(result.reset).toBe(true);
    expect(await s.ctx.index.count()).toBe((await library.getStats(s.ctx)).total_exercises);
    expect((await verifyVectors(s.ctx)).drift).toBe(0);
  });

  it('with Qdrant down: writes succeed into the outbox, search answers from full text, health says so; all drains after', async () => {
    await qdrant.kill();
    try {
      const [row] = await library.addExercises(s.ctx, [
        { url: null, normalized_url: `catalogue://test/down-${backend}`, platform: 'catalogue', exercise_name: 'Outage Hamstring Stretch', category: 'stretching' },
      ]);
      expect(row).toBeDefined();
      const search = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'hamstring stretch', limit: 5 } });
      expect(search.status).toBe(200);
      expect(search.headers.get('x-search-degraded')).toBe('vector-store-unavailable');
      expect(search.body.ranker).toBe('fulltext');
      expect(search.body.results.length).toBeGreaterThan(0);
      const ids = await s.request('/api/v1/exercises/semantic-search-ids', { method: 'POST', json: { query: 'hamstring stretch', limit: 5 } });
      expect(ids.headers.get('x-search-degraded')).toBe('vector-store-unavailable');
      const health = await s.request('/health');
      expect(health.body.status).toBe('degraded');
      expect(health.body.vector_outbox.pending).toBeGreaterThanOrEqual(1);
      expect((await s.request('/api/v1/health/vector')).status).toBe(503);
      const metrics = await s.request('/metrics');
      expect(metrics.text).toMatch(/fitness_builder_vector_outbox_pending [1-9]/);
    } finally {
      await qdrant.start();
    }
    await s.ctx.relay.drain(30_000);
    expect((await verifyVectors(s.ctx)).drift).toBe(0);
    const health = await s.request('/health');
    expect(health.body).toMatchObject({ status: 'healthy', vector_outbox: { pending: 0 } });
  });
});
