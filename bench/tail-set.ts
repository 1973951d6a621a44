/**
 * The large bench library for the filtered-search tail: the catalogue grown by bench/synthetic.ts
 * (seeded variations of names, equipment, level, instructions and muscles, not near-copies), its
 * document vectors from the offline embedder, and loaders for PGlite (binary COPY) and the server.
 * Embedding 100k rows takes minutes, so vectors are cached under the OS temp folder, keyed by
 * model, size and seed; the rows themselves are regenerated (deterministic) each time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Db } from '../src/database/db.js';
import { storeExercises } from '../src/database/exercises.js';
import type { ExerciseInput } from '../src/database/types.js';
import { createOfflineEmbedder } from '../src/embeddings/offline.js';
import { buildExerciseChunk } from '../src/language/chunk.js';
import { mapCatalogueEntry } from '../src/services/catalogue.js';
import { EMBEDDINGS_TABLE } from '../src/vectors/pgvector.js';
import type { VectorIndex } from '../src/vectors/types.js';
import { binaryCopyUuidVector } from './pglite.js';
import { readCatalogueFile } from './quality.js';
import { syntheticLibrary } from './synthetic.js';

const SEED = 7;
const EMBED_BATCH = 2_000;
const LOAD_BATCH = 1_000;

export interface TailSet {
  rows: ExerciseInput[];
  /** Document vectors, one per row, same order. */
  vectors: number[][];
  embedSeconds: number;
  cached: boolean;
}

function cacheFile(model: string, size: number): string {
  return path.join(os.tmpdir(), 'fb-tail-set', `${model.replace(/[^a-z0-9.-]+/gi, '_')}-${size}-seed${SEED}.f32`);
}

export async function tailSet(size: number): Promise<TailSet> {
  const embedder = createOfflineEmbedder();
  const rows = syntheticLibrary(readCatalogueFile(), size, SEED).map((e) => mapCatalogueEntry(e));
  const file = cacheFile(embedder.model, size);
  const dims = embedder.dimensions;
  if (fs.existsSync(file) && fs.statSync(file).size === rows.length * dims * 4) {
    const buf = fs.readFileSync(file);
    const all = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    const vectors = rows.map((_, i) => Array.from(all.subarray(i * dims, (i + 1) * dims)));
    return { rows, vectors, embedSeconds: 0, cached: true };
  }
  const t0 = performance.now();
  const vectors: number[][] = [];
  for (let i = 0; i < rows.length; i += EMBED_BATCH) {
    const chunks = rows.slice(i, i + EMBED_BATCH).map((r) => buildExerciseChunk({ ...r, primary_muscles: r.primary_muscles ?? [], secondary_muscles: r.secondary_muscles ?? [] } as never));
    vectors.push(...(await embedder.embed(chunks, 'document')));
  }
  const embedSeconds = (performance.now() - t0) / 1000;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = new Float32Array(rows.length * dims);
  vectors.forEach((v, i) => out.set(v, i * dims));
  fs.writeFileSync(file, new Uint8Array(out.buffer));
  return { rows, vectors, embedSeconds, cached: false };
}

/** Stores the rows and returns each row's database id, in row order. */
export async function storeTailRows(db: Db, rows: readonly ExerciseInput[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += LOAD_BATCH) {
    const batch = rows.slice(i, i + LOAD_BATCH);
    const stored = await storeExercises(db, batch);
    const byUrl = new Map(stored.map((e) => [e.normalized_url, e.id]));
    ids.push(...batch.map((r) => byUrl.get(r.normalized_url ?? '')!));
  }
  return ids;
}

/** Bulk-loads vectors into PGlite with binary COPY (the index should be dropped first). */
export async function copyVectorsPglite(pglite: PGlite, ids: readonly string[], vectors: readonly number[][]): Promise<void> {
  for (let i = 0; i < ids.length; i += 10_000) {
    const items = ids.slice(i, i + 10_000).map((id, j) => ({ id, vector: vectors[i + j]! }));
    await pglite.query(`COPY ${EMBEDDINGS_TABLE} (exercise_id, embedding) FROM '/dev/blob' WITH (FORMAT binary)`, [], { blob: new Blob([binaryCopyUuidVector(items)]) });
  }
}

/** Loads vectors through the index's own upsert (the server path has no COPY seam). */
export async function upsertVectors(index: VectorIndex, ids: readonly string[], vectors: readonly number[][]): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) await index.upsert(ids.slice(i, i + 500).map((id, j) => ({ id, vector: vectors[i + j]! })));
}
