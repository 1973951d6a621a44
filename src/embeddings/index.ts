/**
 * Embeddings: text in, unit-length vectors out, in input order, or a typed error (never partial
 * results). `model` and `dimensions` identify the vector space; the vector index records them to
 * notice a model change. Call `init()` once at start-up: it loads local models and learns the
 * dimensions of remote ones.
 *
 * Providers (EMBEDDING_PROVIDER): `offline` (default, built in, no model files), `openai` (any
 * OpenAI-compatible server, including Ollama), `local` (an ONNX model run in-process).
 */
import path from 'node:path';
import type { Config } from '../config.js';
import type { Queryable } from '../database/db.js';
import { ValidationError } from '../errors.js';
import { withEmbeddingCache } from './cache.js';
import { createLocalEmbedder } from './local.js';
import { createOfflineEmbedder } from './offline.js';
import { createOpenAIEmbedder } from './openai.js';
import type { Embedder } from './types.js';

export type { EmbedKind, Embedder } from './types.js';
export { withEmbeddingCache } from './cache.js';

export const DEFAULT_LOCAL_MODEL = 'Xenova/all-MiniLM-L6-v2';

export function createEmbedder(config: Config, deps: { db?: Queryable } = {}): Embedder {
  const e = config.embedding;
  let embedder: Embedder;
  switch (e.provider) {
    case 'offline':
      // Cheaper than a cache lookup, so never wrapped.
      return createOfflineEmbedder();
    case 'openai':
      if (!e.model) {
        throw new ValidationError('EMBEDDING_MODEL', 'required when EMBEDDING_PROVIDER=openai (e.g. text-embedding-3-small, or nomic-embed-text on Ollama)');
      }
      embedder = createOpenAIEmbedder({
        baseUrl: e.baseUrl,
        apiKey: e.apiKey,
        model: e.model,
        dimensions: e.dimensions,
        batchSize: e.batchSize,
        timeoutMs: config.ai.timeoutMs,
      });
      break;
    case 'local':
      embedder = createLocalEmbedder({
        model: e.model ?? DEFAULT_LOCAL_MODEL,
        modelPath: e.modelPath,
        cacheDir: path.join(config.dataDir, 'models'),
        batchSize: e.batchSize,
      });
      break;
  }
  return deps.db ? withEmbeddingCache(embedder, deps.db) : embedder;
}
