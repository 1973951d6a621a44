import type { Queryable } from './db.js';
import { exerciseColumns, mapExerciseRow } from './exercises.js';
import type { Exercise } from '../domain/index.js';

/**
 * The library as the in-memory read and search paths see it (issue 11). A process that owns its
 * database (the embedded default) keeps one of these in step with every commit; readers take it
 * as an immutable value, so a search never sees half of a write.
 */
export interface SnapshotRow {
  readonly exercise: Exercise;
  /** The stored embedding, as pgvector holds it; null while the row waits for its vector. */
  readonly vector: Float32Array | null;
  /** `search_document::text`: the tsvector PostgreSQL built for the row (`'lexeme':1A,4B ...`). */
  readonly document: string;
}

export interface LibrarySnapshot {
  /** Changes whenever the content changes, so derived structures know when to rebuild. */
  readonly version: number;
  /** Every row, in id order (C collation of the UUID text), so scans are deterministic. */
  readonly rows: readonly SnapshotRow[];
  get(id: string): SnapshotRow | undefined;
}

/** The embeddings table pgvector keeps (src/vectors/pgvector.ts); absent until the index is initialised. */
const EMBEDDINGS_TABLE = 'exercise_embeddings';

/**
 * Reads rows (all, or the given ids) with their vector and full-text document, in id order.
 * The vector join is skipped when the embeddings table does not exist yet.
 */
export async function readSnapshotRows(db: Queryable, ids?: readonly string[]): Promise<SnapshotRow[]> {
  const [t] = await db.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [EMBEDDINGS_TABLE]);
  const join = t?.present ? `LEFT JOIN ${EMBEDDINGS_TABLE} v ON v.exercise_id = e.id` : '';
  const vector = t?.present ? 'v.embedding::text AS _vector' : 'NULL AS _vector';
  const where = ids ? 'WHERE e.id = ANY($1::uuid[])' : '';
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${exerciseColumns('e')}, e.search_document::text AS _document, ${vector}
     FROM exercises e ${join} ${where} ORDER BY e.id::text COLLATE "C"`,
    ids ? [ids] : [],
  );
  return rows.map((r) => ({
    exercise: mapExerciseRow(r),
    vector: r._vector == null ? null : Float32Array.from(JSON.parse(String(r._vector)) as number[]),
    document: String(r._document ?? ''),
  }));
}
