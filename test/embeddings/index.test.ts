import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createEmbedder } from '../../src/embeddings/index.js';
import type { Queryable } from '../../src/database/db.js';
import { ValidationError } from '../../src/errors.js';

// The offline embedder has its own tests; here only the choice and the wrapping matter.
const offline = { model: 'offline:stub', dimensions: 3, init: async () => {}, embed: async () => [] };
vi.mock('../../src/embeddings/offline.js', () => ({ createOfflineEmbedder: () => offline }));

const db: Queryable = { query: async () => [], exec: async () => {} };

describe('createEmbedder', () => {
  it('uses the offline embedder unwrapped, even with a database', () => {
    expect(createEmbedder(loadConfig({}), { db })).toBe(offline);
  });

  it('requires EMBEDDING_MODEL for openai', () => {
    expect(() => createEmbedder(loadConfig({ EMBEDDING_PROVIDER: 'openai' }), {})).toThrow(ValidationError);
    const e = createEmbedder(loadConfig({ EMBEDDING_PROVIDER: 'openai', EMBEDDING_MODEL: 'nomic-embed-text', EMBEDDING_DIMENSIONS: '768' }), { db });
    expect(e.model).toBe('openai:nomic-embed-text');
    expect(e.dimensions).toBe(768);
  });

  it('defaults the local model', () => {
    const e = createEmbedder(loadConfig({ EMBEDDING_PROVIDER: 'local' }), {});
    expect(e.model).toBe('local:Xenova/all-MiniLM-L6-v2');
  });
});
