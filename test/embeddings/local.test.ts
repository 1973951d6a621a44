import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalEmbedder, LOCAL_RUNTIME_PACKAGE } from '../../src/embeddings/local.js';
import { UnavailableError } from '../../src/errors.js';
import { makeTinyModel, type TinyModel } from '../fixtures/make-tiny-model.js';

let tmp: string;
let tiny: TinyModel;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-local-embed-'));
  tiny = makeTinyModel(path.join(tmp, 'models'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const embedder = (extra: { queryPrefix?: string; documentPrefix?: string; model?: string } = {}) =>
  createLocalEmbedder({ model: tiny.name, modelPath: tiny.root, cacheDir: path.join(tmp, 'cache'), batchSize: 2, ...extra });

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('createLocalEmbedder', () => {
  it('loads a model from a local folder and gives deterministic unit vectors', async () => {
    const e = embedder();
    expect(e.model).toBe(`local:${tiny.name}`);
    await e.init();
    expect(e.dimensions).toBe(tiny.dim);

    const texts = ['squat', 'barbell row', 'glute bridge hold', 'Squat', 'plank'];
    const first = await e.embed(texts);
    const again = await embedder().embed(texts);
    expect(first).toHaveLength(texts.length);
    expect(again).toEqual(first);
    for (const v of first) {
      expect(v).toHaveLength(tiny.dim);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    // Lower-casing tokenizer: same tokens, same vector; different words differ.
    expect(dot(first[0]!, first[3]!)).toBeCloseTo(1, 5);
    expect(dot(first[0]!, first[4]!)).toBeLessThan(0.99);
  });

  it('batching and padding do not change a text\'s vector', async () => {
    const e = embedder();
    const [alone] = await e.embed(['push up']);
    const [, padded] = await e.embed(['kettlebell swing hold stretch', 'push up']);
    alone!.forEach((x, i) => expect(padded![i]).toBeCloseTo(x, 5));
  });

  it('applies the query and document prefixes', async () => {
    const e = embedder({ queryPrefix: 'plank ' });
    const [doc] = await e.embed(['squat'], 'document');
    const [query] = await e.embed(['squat'], 'query');
    const [both] = await e.embed(['plank squat']);
    expect(query).not.toEqual(doc);
    expect(query).toEqual(both);
  });

  it('returns [] for no texts', async () => {
    expect(await embedder().embed([])).toEqual([]);
  });

  it('explains a missing model folder and how to fix it, without downloading', async () => {
    const e = embedder({ model: 'Xenova/all-MiniLM-L6-v2' });
    const error = await e.init().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    const message = (error as Error).message;
    expect(message).toContain(path.join(tiny.root, 'Xenova/all-MiniLM-L6-v2'));
    expect(message).toContain('EMBEDDING_MODEL_PATH');
    expect(message).toContain('Xenova/all-MiniLM-L6-v2/onnx/model.onnx');
    expect((error as UnavailableError).retryable).toBe(false);
    // A failed load is not memoized: once the files appear, the next init() succeeds.
    makeTinyModel(tiny.root, 'Xenova/all-MiniLM-L6-v2');
    await e.init();
    expect(e.dimensions).toBe(tiny.dim);
  });

  it('names the optional package when transformers.js is not installed (exit 5 / 503)', async () => {
    const absent = '@huggingface/transformers-not-installed';
    const e = createLocalEmbedder({
      model: tiny.name,
      modelPath: tiny.root,
      cacheDir: path.join(tmp, 'cache'),
      batchSize: 2,
      importRuntime: () => import(absent) as Promise<typeof import('@huggingface/transformers')>,
    });
    const error = await e.init().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain(`needs the optional package ${LOCAL_RUNTIME_PACKAGE}`);
    expect((error as Error).message).toContain('npm install');
    expect((error as UnavailableError).retryable).toBe(false);
  });
});
