import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAIEmbedder, type OpenAIEmbedderOptions } from '../../src/embeddings/openai.js';
import { UnavailableError, ValidationError } from '../../src/errors.js';
import { startFakeOpenAI, toBase64Embedding, type FakeOpenAI, type FakeRequest, type FakeResponse } from '../helpers/openai-server.js';

const KEY = 'sk-test-secret-123456';
// Short waits between SDK retries (it honours this header), so the tests stay fast.
const FAST_RETRY = { 'retry-after-ms': '5' };

interface EmbeddingsBody {
  model: string;
  input: string[];
  encoding_format?: string;
  dimensions?: number;
}

/** A deterministic, not normalised vector per text, so tests can tell which text came back where. */
function rawVector(text: string, dims: number): number[] {
  return Array.from({ length: dims }, (_, i) => ((text.charCodeAt(i % text.length) * (i + 1)) % 17) + 1);
}

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** Answers like the real API: base64 float32 when asked for base64, JSON floats otherwise. */
function answer(req: FakeRequest, opts: { dims?: number; reverse?: boolean; ignoreFormat?: boolean } = {}): FakeResponse {
  const body = req.body as EmbeddingsBody;
  const dims = body.dimensions ?? opts.dims ?? 4;
  const base64 = body.encoding_format === 'base64' && !opts.ignoreFormat;
  const data = body.input.map((text, index) => {
    const v = rawVector(text, dims);
    return { object: 'embedding', index, embedding: base64 ? toBase64Embedding(v) : v };
  });
  if (opts.reverse) data.reverse();
  return { json: { object: 'list', model: body.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } } };
}

let fake: FakeOpenAI;
beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => {
  await fake.close();
});

function embedder(extra: Partial<OpenAIEmbedderOptions> = {}) {
  return createOpenAIEmbedder({ baseUrl: fake.baseUrl, apiKey: KEY, model: 'text-embedding-3-small', batchSize: 2, timeoutMs: 5_000, maxRetries: 2, ...extra });
}

const bodies = () => fake.requests.map((r) => r.body as EmbeddingsBody);

describe('createOpenAIEmbedder', () => {
  it('batches by batchSize and keeps input order even when the server shuffles data', async () => {
    fake.on('/v1/embeddings', (req) => answer(req, { reverse: true }));
    const texts = ['squat', 'lunge', 'plank', 'deadlift', 'burpee'];
    const vectors = await embedder({ dimensions: 4 }).embed(texts);

    expect(bodies().map((b) => b.input)).toEqual([['squat', 'lunge'], ['plank', 'deadlift'], ['burpee']]);
    expect(bodies().every((b) => b.encoding_format === 'base64')).toBe(true);
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    texts.forEach((t, i) => {
      const expected = unit(rawVector(t, 4));
      vectors[i]!.forEach((x, j) => expect(x).toBeCloseTo(expected[j]!, 6));
      expect(Math.hypot(...vectors[i]!)).toBeCloseTo(1, 6);
    });
  });

  it('accepts float arrays from servers that ignore encoding_format', async () => {
    fake.on('/v1/embeddings', (req) => answer(req, { ignoreFormat: true }));
    const [v] = await embedder().embed(['row']);
    const expected = unit(rawVector('row', 4));
    v!.forEach((x, j) => expect(x).toBeCloseTo(expected[j]!, 9));
  });

  it('makes no call for an empty list', async () => {
    expect(await embedder().embed([])).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('sends dimensions only when configured', async () => {
    fake.on('/v1/embeddings', (req) => answer(req, { dims: 6 }));
    await embedder().embed(['a']);
    await embedder({ dimensions: 3 }).embed(['a']);
    expect('dimensions' in bodies()[0]!).toBe(false);
    expect(bodies()[1]!.dimensions).toBe(3);
  });

  it('learns the dimensions with one probe in init(), and none when configured', async () => {
    fake.on('/v1/embeddings', (req) => answer(req, { dims: 6 }));
    const probed = embedder();
    expect(probed.model).toBe('openai:text-embedding-3-small');
    await Promise.all([probed.init(), probed.init()]);
    await probed.init();
    expect(probed.dimensions).toBe(6);
    expect(fake.requests).toHaveLength(1);

    const configured = embedder({ dimensions: 6 });
    await configured.init();
    expect(configured.dimensions).toBe(6);
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects vectors whose length differs from the configured dimensions', async () => {
    // As Ollama does: it ignores `dimensions` and answers its natural size.
    fake.on('/v1/embeddings', (req) => answer({ ...req, body: { ...(req.body as object), dimensions: undefined } }, { dims: 5 }));
    const error = await embedder({ dimensions: 8 }).embed(['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).message).toMatch(/5-dimensional vectors but EMBEDDING_DIMENSIONS is 8/);
    expect((error as UnavailableError).retryable).toBe(false);
  });

  it('retries a 429 and then succeeds', async () => {
    fake.on('/v1/embeddings', (req, call) =>
      call === 0 ? { status: 429, headers: FAST_RETRY, json: { error: { message: 'Rate limit reached' } } } : answer(req),
    );
    const vectors = await embedder().embed(['a', 'b']);
    expect(vectors).toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
  });

  it('gives up on a persistent 500 with UnavailableError carrying status and message, never the key', async () => {
    fake.on('/v1/embeddings', () => ({
      status: 500,
      headers: FAST_RETRY,
      json: { error: { message: `backend exploded for key ${KEY}` } },
    }));
    const error = await embedder({ maxRetries: 2 }).embed(['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    const message = (error as Error).message;
    expect(message).toMatch(/HTTP 500/);
    expect(message).toMatch(/backend exploded/);
    expect(message).not.toContain(KEY);
    expect((error as UnavailableError).retryable).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });

  it('does not retry a 401 and reports it without the key', async () => {
    fake.on('/v1/embeddings', () => ({ status: 401, json: { error: { message: `Incorrect API key provided: ${KEY}` } } }));
    const error = await embedder().embed(['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/HTTP 401: Incorrect API key provided: \*\*\*/);
    expect((error as Error).message).not.toContain(KEY);
    expect((error as UnavailableError).retryable).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it('turns timeouts into UnavailableError after retrying', async () => {
    fake.on('/v1/embeddings', (req) => ({ ...answer(req), delayMs: 1_000 }));
    const error = await embedder({ timeoutMs: 100, maxRetries: 1 }).embed(['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/timed out \(100 ms per attempt\) after 2 attempt/);
    expect(fake.requests).toHaveLength(2);
  });

  it('turns dropped connections and unreachable servers into UnavailableError', async () => {
    fake.on('/v1/embeddings', () => ({ drop: true }));
    await expect(embedder({ maxRetries: 1 }).embed(['a'])).rejects.toBeInstanceOf(UnavailableError);
    expect(fake.requests).toHaveLength(2);

    const url = fake.baseUrl;
    await fake.close();
    const error = await createOpenAIEmbedder({ baseUrl: url, model: 'm', batchSize: 2, timeoutMs: 1_000, maxRetries: 0 })
      .embed(['a'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/unreachable/);
    fake = await startFakeOpenAI();
  });

  it('rejects an answer with the wrong number of embeddings', async () => {
    fake.on('/v1/embeddings', (req) => {
      const res = answer(req);
      (res.json as { data: unknown[] }).data.pop();
      return res;
    });
    await expect(embedder().embed(['a', 'b'])).rejects.toThrow(/returned 1 embeddings for 2 inputs/);
  });

  it('rejects empty texts before calling the provider', async () => {
    await expect(embedder().embed(['a', ''])).rejects.toBeInstanceOf(ValidationError);
    expect(fake.requests).toHaveLength(0);
  });
});
