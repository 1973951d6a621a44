import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as library from '../../src/services/library.js';
import { repairVectors } from '../../src/services/vectors.js';
import { DEGRADED_HEADER } from '../../src/api/schemas.js';
import { BACKENDS } from '../helpers/db.js';
import { startQdrant, type TestQdrant } from '../helpers/qdrant.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The Qdrant collection deleted under a running service: searches answer from full text with
 * the degraded header (never a 500), and /health says the vector index is not healthy.
 */
let qdrant: TestQdrant;
beforeAll(async () => {
  qdrant = await startQdrant();
}, 120_000);
afterAll(async () => qdrant?.stop());

describe.each(BACKENDS)('a lost Qdrant collection on %s', (backend) => {
  let s: TestServer;
  const collection = `lost_${backend}`;

  beforeAll(async () => {
    s = await startTestServer(backend, { VECTOR_STORE: 'qdrant', QDRANT_URL: qdrant.url, QDRANT_COLLECTION: collection, OUTBOX_POLL_MS: '50' });
    await library.addExercises(s.ctx, [
      { url: 'https://example.com/a.mp4', exercise_name: 'Goblet squat', category: 'strength' },
      { url: 'https://example.com/b.mp4', exercise_name: 'Hamstring stretch', category: 'stretching' },
    ]);
    await s.ctx.relay.drain();
  }, 120_000);
  afterAll(async () => s?.close());

  it('search falls back to full text with the degraded header, and /health is not healthy', async () => {
    const before = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'squat' } });
    expect(before.status).toBe(200);
    expect(before.body.ranker).toBe('hybrid');

    const deleted = await fetch(`${qdrant.url}/collections/${collection}`, { method: 'DELETE' });
    expect(deleted.ok).toBe(true);

    const search = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'squat' } });
    expect(search.status, JSON.stringify(search.body)).toBe(200);
    expect(search.body.ranker).toBe('fulltext');
    expect(search.headers.get(DEGRADED_HEADER)).toBeTruthy();
    expect(search.body.results.map((r: { exercise: { exercise_name: string } }) => r.exercise.exercise_name)).toContain('Goblet squat');
    const ids = await s.request('/api/v1/exercises/semantic-search-ids', { method: 'POST', json: { query: 'squat' } });
    expect(ids.status).toBe(200);
    expect(ids.headers.get(DEGRADED_HEADER)).toBeTruthy();

    const health = await s.request('/health');
    expect(health.body.status).not.toBe('healthy');
    expect(health.body.services.qdrant).not.toMatch(/^(ok|healthy|green)$/);
  }, 60_000);

  it('the next check recreates the collection and `vectors repair` refills it', async () => {
    await expect.poll(async () => {
      await s.request('/health');
      return s.ctx.index.status().available;
    }, { timeout: 30_000, interval: 500 }).toBe(true);
    await repairVectors(s.ctx);
    expect(await s.ctx.index.count()).toBe(2);
    const search = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'squat' } });
    expect(search.body.ranker).toBe('hybrid');
  }, 60_000);
});
