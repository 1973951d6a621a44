import type OpenAI from 'openai';
import { classifyAIError, createAIClient } from '../ai/client.js';
import { UnavailableError, ValidationError } from '../errors.js';
import type { Embedder } from './types.js';

export interface OpenAIEmbedderOptions {
  /** Any OpenAI-compatible server (OpenAI, Ollama, vLLM, LM Studio...). Default: the SDK's. */
  baseUrl?: string;
  apiKey?: string;
  model: string;
  /** Sent to the server only when set (text-embedding-3 models can shorten their vectors). */
  dimensions?: number;
  batchSize: number;
  /** Per HTTP attempt. */
  timeoutMs: number;
  /** Retries of 408/409/429/5xx, timeouts and connection errors, with the SDK's backoff. */
  maxRetries?: number;
}

/**
 * Embeddings over the OpenAI protocol.
 *
 * We ask for `encoding_format: 'base64'` explicitly (a quarter of the bytes of JSON floats) and
 * decode it ourselves, accepting float arrays too: several OpenAI-compatible servers ignore the
 * field and answer floats, which the SDK's implicit base64 decoding silently turns into garbage.
 */
export function createOpenAIEmbedder(opts: OpenAIEmbedderOptions): Embedder {
  if (!(opts.batchSize >= 1)) throw new ValidationError('EMBEDDING_BATCH_SIZE', 'must be at least 1');
  const maxRetries = opts.maxRetries ?? 3;
  // Ollama and most self-hosted servers need neither a key nor, with the SDK's default URL, a base URL.
  const client = createAIClient({ baseUrl: opts.baseUrl, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs, maxRetries, required: false });
  let dimensions = opts.dimensions ?? 0;
  let probing: Promise<void> | undefined;

  function fail(reason: string, options: { cause?: unknown; retryable?: boolean } = {}): UnavailableError {
    const text = `Embedding provider ${origin(client.baseURL)} (model ${opts.model}) ${reason}`;
    // Providers sometimes echo the key back in auth errors.
    return new UnavailableError(opts.apiKey ? text.split(opts.apiKey).join('***') : text, options);
  }

  function toUnavailable(error: unknown): UnavailableError {
    const attempts = `after ${maxRetries + 1} attempt(s)`;
    const fault = classifyAIError(error);
    switch (fault.kind) {
      case 'timeout':
        return fail(`timed out (${opts.timeoutMs} ms per attempt) ${attempts}`, { cause: error });
      case 'unreachable':
        return fail(`is ${fault.detail} ${attempts}`, { cause: error });
      case 'http':
        // Only overload and server faults heal by themselves; 400/401/404 mean a wrong setting.
        return fail(fault.retryable ? fault.detail.replace(/^answered HTTP (\d+)/, `answered HTTP $1 ${attempts}`) : fault.detail, {
          cause: error,
          retryable: fault.retryable,
        });
      default:
        return fail(`failed: ${fault.detail}`, { cause: error });
    }
  }

  async function request(batch: string[]): Promise<number[][]> {
    let response: OpenAI.CreateEmbeddingResponse;
    try {
      response = await client.embeddings.create({
        model: opts.model,
        input: batch,
        encoding_format: 'base64',
        ...(opts.dimensions ? { dimensions: opts.dimensions } : {}),
      });
    } catch (error) {
      throw toUnavailable(error);
    }
    const data = Array.isArray(response?.data) ? [...response.data] : [];
    data.sort((a, b) => a.index - b.index);
    if (data.length !== batch.length || data.some((d, i) => d.index !== i)) {
      throw fail(`returned ${data.length} embeddings for ${batch.length} inputs`);
    }
    return data.map((d) => normalize(decode(d.embedding as unknown)));
  }

  function decode(embedding: unknown): number[] {
    if (typeof embedding === 'string') {
      const bytes = Buffer.from(embedding, 'base64');
      if (bytes.length === 0 || bytes.length % 4 !== 0) throw fail('returned a malformed base64 embedding');
      // Copy: a Buffer's offset into its pool need not be 4-byte aligned.
      return Array.from(new Float32Array(new Uint8Array(bytes).buffer));
    }
    if (Array.isArray(embedding) && embedding.every((x) => typeof x === 'number')) return embedding as number[];
    throw fail('returned an embedding that is neither base64 nor a number array');
  }

  function normalize(vector: number[]): number[] {
    let sum = 0;
    for (const x of vector) sum += x * x;
    const norm = Math.sqrt(sum);
    if (!Number.isFinite(norm) || norm === 0) throw fail('returned a zero or non-finite vector');
    return vector.map((x) => x / norm);
  }

  function checkDimensions(vectors: number[][]): void {
    if (dimensions === 0) dimensions = vectors[0]?.length ?? 0;
    const wrong = vectors.find((v) => v.length !== dimensions);
    if (wrong) {
      const expected = opts.dimensions ? `EMBEDDING_DIMENSIONS is ${opts.dimensions}` : `earlier vectors had ${dimensions}`;
      throw fail(
        `returned ${wrong.length}-dimensional vectors but ${expected}. Fix EMBEDDING_DIMENSIONS (or unset it to learn the size from the model).`,
        { retryable: false },
      );
    }
  }

  const embedder: Embedder = {
    model: `openai:${opts.model}`,
    get dimensions() {
      return dimensions;
    },
    init() {
      if (dimensions !== 0) return Promise.resolve();
      probing ??= embedder
        .embed(['dimension probe'])
        .then(() => undefined)
        .finally(() => {
          probing = undefined;
        });
      return probing;
    },
    async embed(texts) {
      if (texts.length === 0) return [];
      if (texts.some((t) => t.length === 0)) throw new ValidationError('text', 'cannot embed an empty text');
      const vectors: number[][] = [];
      // Sequential on purpose: parallel batches mostly buy 429s from rate-limited providers.
      for (let i = 0; i < texts.length; i += opts.batchSize) {
        const batch = await request(texts.slice(i, i + opts.batchSize));
        checkDimensions(batch);
        vectors.push(...batch);
      }
      return vectors;
    },
  };
  return embedder;
}

function origin(baseUrl: string): string {
  try {
    // Drops any credentials in the URL along with the path.
    return new URL(baseUrl).origin;
  } catch {
    return 'at an invalid base URL';
  }
}
