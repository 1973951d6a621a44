import path from 'node:path';
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import { UnavailableError, errorMessage } from '../errors.js';
import type { EmbedKind, Embedder } from './types.js';

export interface LocalEmbedderOptions {
  /** A hub id such as `Xenova/all-MiniLM-L6-v2`, or a folder name under `modelPath`. */
  model: string;
  /** A folder holding `<model>/...`. When set, nothing is downloaded. */
  modelPath?: string;
  /** Where downloaded models are kept (under DATA_DIR). */
  cacheDir: string;
  batchSize: number;
  /** Some models (e5, bge) were trained with prefixes such as `query: ` / `passage: `. */
  queryPrefix?: string;
  documentPrefix?: string;
  /** Loads transformers.js; tests replace it to see the message a missing package gives. */
  importRuntime?: () => Promise<typeof import('@huggingface/transformers')>;
}

/**
 * An optional peer dependency (about 470 MB with the ONNX runtime): the default install leaves
 * it out, and only EMBEDDING_PROVIDER=local needs it.
 */
export const LOCAL_RUNTIME_PACKAGE = '@huggingface/transformers';

async function importTransformers(importRuntime: NonNullable<LocalEmbedderOptions['importRuntime']>): Promise<typeof import('@huggingface/transformers')> {
  try {
    return await importRuntime();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new UnavailableError(
      `EMBEDDING_PROVIDER=local needs the optional package ${LOCAL_RUNTIME_PACKAGE}, which is not installed ` +
        `(${errorMessage(error)}). Install it with \`npm install -E ${LOCAL_RUNTIME_PACKAGE}@4.3.1\`, ` +
        `or use EMBEDDING_PROVIDER=offline or openai.`,
      { cause: error, retryable: false },
    );
  }
}

/**
 * Runs a sentence-embedding model in-process through transformers.js (ONNX runtime, CPU):
 * mean pooling over tokens, then L2 normalisation. The model loads on the first `init()`.
 *
 * transformers.js keeps its settings in one process-wide `env`; this sets them on every load,
 * so two local embedders with different folders in one process should not load concurrently.
 */
export function createLocalEmbedder(opts: LocalEmbedderOptions): Embedder {
  let extractor: FeatureExtractionPipeline | undefined;
  let loading: Promise<void> | undefined;
  let dimensions = 0;

  const where = opts.modelPath
    ? `from ${path.resolve(opts.modelPath, opts.model)}`
    : `from the Hugging Face hub (download cache ${path.resolve(opts.cacheDir)})`;

  async function load(): Promise<void> {
    // Imported here so the other providers never need the package nor pay for loading the ONNX runtime.
    const { pipeline, env } = await importTransformers(opts.importRuntime ?? (() => import('@huggingface/transformers')));
    try {
      // Either a folder and never a download, or the hub with a download cache; the defaults
      // of both paths point into node_modules.
      env.cacheDir = path.resolve(opts.cacheDir);
      env.localModelPath = path.resolve(opts.modelPath ?? opts.cacheDir);
      env.allowLocalModels = Boolean(opts.modelPath);
      env.allowRemoteModels = !opts.modelPath;
      extractor = await pipeline('feature-extraction', opts.model, { dtype: 'fp32' });
      const [probe] = await run(['dimension probe']);
      dimensions = probe!.length;
    } catch (error) {
      extractor = undefined;
      throw new UnavailableError(
        `Local embedding model "${opts.model}" could not be loaded ${where}: ${errorMessage(error).replace(/\.+$/, '')}. ` +
          `Set EMBEDDING_MODEL_PATH to a folder holding ${opts.model}/config.json, ${opts.model}/tokenizer.json ` +
          `and ${opts.model}/onnx/model.onnx (for example copied from https://huggingface.co/${opts.model}).`,
        // Missing files do not appear by retrying; a download that failed might succeed later.
        { cause: error, retryable: !opts.modelPath },
      );
    }
  }

  async function run(texts: string[]): Promise<number[][]> {
    const output = await extractor!(texts, { pooling: 'mean', normalize: true });
    return output.tolist() as number[][];
  }

  const embedder: Embedder = {
    model: `local:${opts.model}`,
    get dimensions() {
      return dimensions;
    },
    init() {
      // A failed load is forgotten so a later call can retry once the files are in place.
      loading ??= load().catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      return loading;
    },
    async embed(texts: readonly string[], kind: EmbedKind = 'document') {
      if (texts.length === 0) return [];
      await embedder.init();
      const prefix = (kind === 'query' ? opts.queryPrefix : opts.documentPrefix) ?? '';
      const vectors: number[][] = [];
      for (let i = 0; i < texts.length; i += opts.batchSize) {
        const batch = texts.slice(i, i + opts.batchSize).map((t) => prefix + t);
        try {
          vectors.push(...(await run(batch)));
        } catch (error) {
          throw new UnavailableError(`Local embedding model "${opts.model}" failed: ${errorMessage(error)}`, { cause: error });
        }
      }
      return vectors;
    },
  };
  return embedder;
}
