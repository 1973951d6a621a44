import type { Db, Queryable } from '../database/db.js';
import { buildExerciseFilter } from '../database/filters.js';
import type { ExerciseFilters } from '../database/types.js';
import { filtersSchema } from '../database/validate.js';
import { isUuid } from '../domain/index.js';
import { errorMessage, NotFoundError, parseInput, UnavailableError, ValidationError } from '../errors.js';
import { chooseVectorPlan, createMatchEstimator, EXACT_SCAN_MAX_ROWS, HNSW_PARAMS, POSTFILTER_WINDOW } from './pgvector-plan.js';
import type { CollectionInfo, StoredPage, VectorHit, VectorIndex, VectorIndexStatus, VectorItem, VectorSearchOptions } from './types.js';

/**
 * pgvector backend: one row per exercise in `exercise_embeddings`, with a foreign key to
 * `exercises` (ON DELETE CASCADE, so a deleted exercise loses its vector in the same
 * transaction) and an HNSW cosine index. The table is created by `init()`, not by a migration,
 * because its column type `vector(n)` depends on the configured embedder; the model and
 * dimensions it was built for are recorded in `vector_index_state` (migration 0003).
 */
export const EMBEDDINGS_TABLE = 'exercise_embeddings';
export const HNSW_INDEX = 'exercise_embeddings_hnsw';
export const COLLECTION_NAME = 'exercises';

// Serializes init/reset between processes sharing one server.
const INIT_LOCK_KEY = 7_341_902_117;
// Keeps each INSERT well under PostgreSQL's 65,535 bind parameters and a few MB of text.
const ROWS_PER_INSERT = 500;

/** The index's DDL with the tuned parameters; benches that bulk-load rebuild it with this. */
export function hnswIndexDdl(): string {
  return `CREATE INDEX ${HNSW_INDEX} ON ${EMBEDDINGS_TABLE} USING hnsw (embedding vector_cosine_ops) WITH (m = ${HNSW_PARAMS.m}, ef_construction = ${HNSW_PARAMS.efConstruction})`;
}

export interface PgvectorOptions {
  db: Db;
  /** The embedder's identity: vectors of another model or size are never mixed in. */
  model: string;
  dimensions: number;
  /** Overrides EXACT_SCAN_MAX_ROWS (tests use a small one to reach the index path with few rows). */
  exactScanMaxRows?: number;
  /** Overrides POSTFILTER_WINDOW (tests use a small one so a few rows can lie outside it). */
  postfilterWindow?: number;
}

const NOT_INITIALISED: VectorIndexStatus = { available: false, reason: 'The vector index is not initialised (init() was not called).' };

export function vectorLiteral(vector: readonly number[]): string {
  return `[${vector.join(',')}]`;
}

export function parseVector(text: unknown): number[] {
  if (Array.isArray(text)) return text.map(Number);
  return JSON.parse(String(text)) as number[];
}

export function createPgvectorIndex(options: PgvectorOptions): VectorIndex {
  const { db, model, dimensions, exactScanMaxRows = EXACT_SCAN_MAX_ROWS, postfilterWindow = POSTFILTER_WINDOW } = options;
  let state: VectorIndexStatus = NOT_INITIALISED;
  const estimateMatches = createMatchEstimator();

  function requireReady(): void {
    if (!state.available) throw new UnavailableError(state.reason, { retryable: false });
    if (state.needsReindex) throw new UnavailableError(state.message ?? 'The vector index needs a reindex.', { retryable: false });
  }

  function checkVector(vector: readonly number[], field: string): void {
    if (vector.length !== dimensions) throw new ValidationError(field, `must have ${dimensions} dimensions, got ${vector.length}`);
    if (!vector.every(Number.isFinite)) throw new ValidationError(field, 'must hold finite numbers only');
  }

  async function createTable(q: Queryable): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS ${EMBEDDINGS_TABLE} (
      exercise_id uuid PRIMARY KEY REFERENCES exercises (id) ON DELETE CASCADE,
      embedding vector(${dimensions}) NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await ensureHnswIndex(q);
    // A process that mirrors the library in memory learns of vector changes at commit (migration 0007).
    await q.query(`CREATE OR REPLACE TRIGGER ${EMBEDDINGS_TABLE}_changed_notify AFTER INSERT OR UPDATE OR DELETE ON ${EMBEDDINGS_TABLE}
      FOR EACH ROW EXECUTE FUNCTION exercise_changed_notify()`);
    await q.query(`CREATE OR REPLACE TRIGGER ${EMBEDDINGS_TABLE}_truncated_notify AFTER TRUNCATE ON ${EMBEDDINGS_TABLE}
      FOR EACH STATEMENT EXECUTE FUNCTION exercise_changed_notify()`);
  }

  /**
   * The index is rebuilt when it is missing or was built with other parameters than HNSW_PARAMS
   * (a library from an older version): the check runs at every init, under the init lock.
   */
  async function ensureHnswIndex(q: Queryable): Promise<void> {
    const [row] = await q.query<{ options: string[] | null }>(`SELECT reloptions AS options FROM pg_class WHERE oid = to_regclass($1)`, [HNSW_INDEX]);
    // pgvector's defaults apply to an option the index was built without.
    const built = { m: 16, ef_construction: 64, ...Object.fromEntries((row?.options ?? []).map((o) => [o.split('=')[0], Number(o.split('=')[1])])) };
    if (row && built.m === HNSW_PARAMS.m && built.ef_construction === HNSW_PARAMS.efConstruction) return;
    await q.query(`DROP INDEX IF EXISTS ${HNSW_INDEX}`);
    await q.query(hnswIndexDdl());
  }

  /** Dropping the table fires no trigger: every mirrored vector is gone, so say so at commit. */
  async function dropTable(tx: Queryable): Promise<void> {
    await tx.query(`DROP TABLE IF EXISTS ${EMBEDDINGS_TABLE}`);
    await tx.query(`SELECT pg_notify('exercise_changed', '*')`);
  }

  async function ensureExtension(): Promise<string | null> {
    try {
      await db.query('CREATE EXTENSION IF NOT EXISTS vector');
      return null;
    } catch (error) {
      // Two processes racing to create it: the loser sees a duplicate, but the extension is there.
      const present = await db
        .query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'vector'`)
        .catch(() => [{ n: 0 }]);
      if (present[0]?.n) return null;
      return errorMessage(error);
    }
  }

  async function init(): Promise<VectorIndexStatus> {
    const failure = await ensureExtension();
    if (failure !== null) {
      state = {
        available: false,
        reason: `The PostgreSQL server has no pgvector extension (CREATE EXTENSION vector failed: ${failure}). Install pgvector, or use the embedded database.`,
      };
      return state;
    }
    state = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [INIT_LOCK_KEY]);
      const [row] = await tx.query<{ model: string; dimensions: number }>(
        'SELECT model, dimensions FROM vector_index_state WHERE name = $1',
        [COLLECTION_NAME],
      );
      if (!row) {
        // No record means no vectors we can trust: start clean for this model.
        await dropTable(tx);
        await createTable(tx);
        await tx.query('INSERT INTO vector_index_state (name, backend, model, dimensions) VALUES ($1, $2, $3, $4)', [
          COLLECTION_NAME,
          'pgvector',
          model,
          dimensions,
        ]);
        return { available: true, needsReindex: false, model, dimensions } as const;
      }
      if (row.model !== model || Number(row.dimensions) !== dimensions) {
        return {
          available: true,
          needsReindex: true,
          model,
          dimensions,
          message:
            `The vector index holds embeddings from ${row.model} (${row.dimensions} dimensions) but the configured embedder is ` +
            `${model} (${dimensions} dimensions). Search by meaning is off until you re-index (fitness-builder reindex).`,
        } as const;
      }
      await createTable(tx);
      return { available: true, needsReindex: false, model, dimensions } as const;
    });
    return state;
  }

  async function reset(): Promise<void> {
    if (!state.available) await init();
    if (!state.available) throw new UnavailableError(state.reason, { retryable: false });
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [INIT_LOCK_KEY]);
      await dropTable(tx);
      await tx.query('DELETE FROM vector_index_state WHERE name = $1', [COLLECTION_NAME]);
    });
    await init();
  }

  async function upsert(items: readonly VectorItem[], tx?: Queryable): Promise<void> {
    requireReady();
    items.forEach((item, i) => {
      if (!isUuid(item.id)) throw new ValidationError(`[${i}].id`, 'must be a UUID');
      checkVector(item.vector, `[${i}].vector`);
    });
    const q = tx ?? db;
    for (let start = 0; start < items.length; start += ROWS_PER_INSERT) {
      const batch = items.slice(start, start + ROWS_PER_INSERT);
      const params: unknown[] = [];
      const values = batch.map((item) => {
        params.push(item.id, vectorLiteral(item.vector));
        return `($${params.length - 1}::uuid, $${params.length}::vector)`;
      });
      try {
        await q.query(
          `INSERT INTO ${EMBEDDINGS_TABLE} (exercise_id, embedding) VALUES ${values.join(', ')}
           ON CONFLICT (exercise_id) DO UPDATE SET embedding = EXCLUDED.embedding, updated_at = now()`,
          params,
        );
      } catch (error) {
        if ((error as { code?: string }).code === '23503') {
          const id = /\(exercise_id\)=\(([^)]+)\)/.exec(errorMessage(error))?.[1];
          throw new NotFoundError('Exercise', id);
        }
        throw error;
      }
    }
  }

  async function remove(ids: readonly string[], tx?: Queryable): Promise<void> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0 || !state.available) return;
    await (tx ?? db).query(`DELETE FROM ${EMBEDDINGS_TABLE} WHERE exercise_id = ANY($1::uuid[])`, [valid]);
  }

  async function search(vector: readonly number[], opts: VectorSearchOptions): Promise<VectorHit[]> {
    requireReady();
    checkVector(vector, 'vector');
    if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 1000) throw new ValidationError('limit', 'must be an integer from 1 to 1000');
    const filters: ExerciseFilters = opts.filters ? parseInput(filtersSchema, opts.filters, 'filters') : {};
    const where = buildExerciseFilter(filters, { alias: 'e', firstParam: 3 });
    const filtered = where.sql !== 'TRUE';
    const literal = vectorLiteral(vector);
    const rows = await db.transaction(async (tx) => {
      const estimate = filtered ? await estimateMatches(tx, buildExerciseFilter(filters, { alias: 'e' })) : { estimatedRows: 0, totalRows: 0 };
      const plan = chooseVectorPlan({ filtered, exactScanMaxRows, postfilterWindow, limit: opts.limit, ...estimate });
      if (plan.kind === 'postfilter') {
        await tx.query(`SET LOCAL hnsw.ef_search = ${plan.efSearch}`);
        const found = await nearestAmong(tx, literal, opts.limit, plan.window, where);
        if (found.length === opts.limit) return found;
      }
      if (plan.kind === 'exact') {
        // The planner's usual hash join reads every stored vector (see EXACT_BY_KEY_MAX_SHARE).
        if (plan.byKey) {
          await tx.query('SET LOCAL enable_hashjoin = off');
          await tx.query('SET LOCAL enable_mergejoin = off');
        }
      } else {
        // Without an iterative scan a filtered HNSW search silently returns fewer rows than exist.
        await tx.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
        await tx.query(`SET LOCAL hnsw.ef_search = ${plan.efSearch}`);
        // The planner's estimate for a join filter often prefers sorting every match (an exact scan of
        // thousands of rows); the plan choice above already decided the graph walk is cheaper.
        if (filtered) await tx.query('SET LOCAL enable_sort = off');
        const found = await nearest(tx, literal, opts.limit, where, filtered, false);
        if (found.length === opts.limit) return found;
      }
      return nearest(tx, literal, opts.limit, where, filtered, true);
    });
    // relaxed_order may return neighbours slightly out of order.
    const hits = rows.map((r) => ({ id: String(r.id), score: 1 - Number(r.distance) })).sort((a, b) => b.score - a.score);
    return opts.scoreThreshold === undefined ? hits : hits.filter((h) => h.score >= opts.scoreThreshold!);
  }

  function nearest(
    tx: Queryable,
    literal: string,
    limit: number,
    where: { sql: string; params: unknown[] },
    filtered: boolean,
    exact: boolean,
  ): Promise<{ id: string; distance: number }[]> {
    // `+ 0` hides the ordering from the planner, which then computes every distance (exact).
    const order = exact ? `(v.embedding <=> $1::vector) + 0` : `v.embedding <=> $1::vector`;
    const join = filtered ? `JOIN exercises e ON e.id = v.exercise_id WHERE ${where.sql}` : '';
    return tx.query(
      `SELECT v.exercise_id AS id, v.embedding <=> $1::vector AS distance FROM ${EMBEDDINGS_TABLE} v ${join}
       ORDER BY ${order}${exact ? ', v.exercise_id' : ''} LIMIT $2`,
      [literal, limit, ...where.params],
    );
  }

  /** The filter applied to the unfiltered walk's nearest `window` rows (the post-filter plan). */
  function nearestAmong(
    tx: Queryable,
    literal: string,
    limit: number,
    window: number,
    where: { sql: string; params: unknown[] },
  ): Promise<{ id: string; distance: number }[]> {
    return tx.query(
      `SELECT c.id, c.distance FROM (
         SELECT v.exercise_id AS id, v.embedding <=> $1::vector AS distance FROM ${EMBEDDINGS_TABLE} v
         ORDER BY v.embedding <=> $1::vector LIMIT ${Math.trunc(window)}
       ) c JOIN exercises e ON e.id = c.id WHERE ${where.sql}
       ORDER BY c.distance, c.id LIMIT $2`,
      [literal, limit, ...where.params],
    );
  }

  async function vectors(ids: readonly string[]): Promise<Map<string, number[]>> {
    requireReady();
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return new Map();
    const rows = await db.query<{ id: string; embedding: string }>(
      `SELECT exercise_id AS id, embedding::text AS embedding FROM ${EMBEDDINGS_TABLE} WHERE exercise_id = ANY($1::uuid[])`,
      [valid],
    );
    return new Map(rows.map((r) => [String(r.id), parseVector(r.embedding)]));
  }

  async function missing(limit: number, after?: string): Promise<string[]> {
    requireReady();
    const rows = await db.query<{ id: string }>(
      `SELECT e.id FROM exercises e
       WHERE NOT EXISTS (SELECT 1 FROM ${EMBEDDINGS_TABLE} v WHERE v.exercise_id = e.id) AND ($2::uuid IS NULL OR e.id > $2::uuid)
       ORDER BY e.id LIMIT $1`,
      [limit, after ?? null],
    );
    return rows.map((r) => String(r.id));
  }

  async function stored(pageSize: number, after?: string): Promise<StoredPage> {
    requireReady();
    const rows = await db.query<{ id: string }>(
      `SELECT exercise_id AS id FROM ${EMBEDDINGS_TABLE} WHERE ($2::uuid IS NULL OR exercise_id > $2::uuid) ORDER BY exercise_id LIMIT $1`,
      [pageSize, after ?? null],
    );
    const ids = rows.map((r) => String(r.id));
    // One table holds one model's vectors (init refuses to mix them), so none is of another model.
    return { ids, otherModel: [], ...(ids.length === pageSize ? { next: ids[ids.length - 1] } : {}) };
  }

  async function count(): Promise<number> {
    requireReady();
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${EMBEDDINGS_TABLE}`);
    return row?.n ?? 0;
  }

  async function info(): Promise<CollectionInfo> {
    const base = { name: COLLECTION_NAME, vector_size: dimensions, distance: 'Cosine' as const, model, index: 'hnsw' as const };
    if (!state.available) return { ...base, vectors_count: 0, status: 'unavailable', message: state.reason };
    if (state.needsReindex) {
      const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${EMBEDDINGS_TABLE}`);
      return { ...base, vectors_count: row?.n ?? 0, status: 'needs_reindex', ...(state.message ? { message: state.message } : {}) };
    }
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${EMBEDDINGS_TABLE}`);
    return { ...base, vectors_count: row?.n ?? 0, status: 'green' };
  }

  return {
    backend: 'pgvector',
    consistency: 'transaction',
    init,
    status: () => state,
    upsert,
    delete: remove,
    search,
    vectors,
    missing,
    stored,
    count,
    reset,
    info,
  };
}
