import { isUuid, type Exercise } from '../domain/index.js';
import { normalizeUrl } from '../urls/index.js';
import type { Queryable } from './db.js';
import { exerciseColumns, mapExerciseRow } from './exercise-rows.js';
import { buildExerciseFilter } from './filters.js';
import type { ExerciseFilters, ListOptions, Page, Stats } from './types.js';
import { parseInput } from '../errors.js';
import { filtersSchema, listOptionsSchema } from './validate.js';

/** Reads of the `exercises` table. */

export async function existingSourceKeys(db: Queryable, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.query<{ k: string }>('SELECT DISTINCT normalized_url AS k FROM exercises WHERE normalized_url = ANY($1::text[])', [keys]);
  return new Set(rows.map((r) => r.k));
}

export async function getExerciseById(db: Queryable, id: string): Promise<Exercise | null> {
  if (!isUuid(id)) return null;
  const rows = await db.query(`SELECT ${exerciseColumns()} FROM exercises WHERE id = $1`, [id]);
  return rows[0] ? mapExerciseRow(rows[0]) : null;
}

/** One query for all ids; results follow the input order, unknown and non-UUID ids skipped. */
export async function getExercisesByIds(db: Queryable, ids: readonly string[]): Promise<Exercise[]> {
  const valid = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
  if (valid.length === 0) return [];
  const rows = await db.query(`SELECT ${exerciseColumns()} FROM exercises WHERE id = ANY($1::uuid[])`, [valid]);
  const byId = new Map(rows.map((r) => [String(r.id), mapExerciseRow(r)]));
  return ids.flatMap((id) => {
    const found = isUuid(id) ? byId.get(id.toLowerCase()) : undefined;
    return found ? [found] : [];
  });
}

/** All exercises from a source, matched by its normalized form (any share-link variant finds them). */
export async function getExercisesByUrl(db: Queryable, url: string): Promise<Exercise[]> {
  let normalized: string | null = null;
  try {
    normalized = normalizeUrl(url).normalized;
  } catch {
    // not a URL we can normalize: fall back to the literal text
  }
  const rows = await db.query(
    `SELECT ${exerciseColumns()} FROM exercises WHERE normalized_url = $1 OR url = $2
     ORDER BY carousel_index, start_time NULLS FIRST, created_at`,
    [normalized ?? url, url],
  );
  return rows.map(mapExerciseRow);
}

export async function searchExercises(
  db: Queryable,
  filters: ExerciseFilters = {},
  options: ListOptions = {},
): Promise<Page<Exercise>> {
  const f = parseInput(filtersSchema, filters, 'filters');
  const o = parseInput(listOptionsSchema, options);
  const where = buildExerciseFilter(f);
  const order = o.order ?? (o.sort === 'exercise_name' ? 'asc' : 'desc');
  const sortColumn = o.sort === 'exercise_name' ? 'lower(exercise_name)' : o.sort;
  const n = where.params.length;
  const rows = await db.query(
    `SELECT ${exerciseColumns()}, count(*) OVER ()::int AS total_count FROM exercises
     WHERE ${where.sql}
     ORDER BY ${sortColumn} ${order} NULLS LAST, id ${order}
     LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...where.params, o.limit, o.offset],
  );
  let total = rows[0] ? Number(rows[0].total_count) : 0;
  if (rows.length === 0 && o.offset > 0) {
    const counted = await db.query<{ c: number }>(`SELECT count(*)::int AS c FROM exercises WHERE ${where.sql}`, where.params);
    total = counted[0]?.c ?? 0;
  }
  return { items: rows.map(mapExerciseRow), total, limit: o.limit, offset: o.offset };
}

export async function getStats(db: Queryable): Promise<Stats> {
  const [row] = await db.query<Record<string, unknown>>(
    `SELECT count(*)::int AS total_exercises,
            round(avg(fitness_level)::numeric, 2)::float8 AS avg_fitness_level,
            round(avg(intensity)::numeric, 2)::float8 AS avg_intensity,
            count(DISTINCT normalized_url) FILTER (WHERE platform <> 'catalogue')::int AS unique_urls,
            count(*) FILTER (WHERE video_path IS NOT NULL)::int AS exercises_with_clips,
            (SELECT count(*)::int FROM workout_routines) AS total_routines,
            COALESCE((SELECT json_object_agg(platform, n) FROM (SELECT platform, count(*)::int AS n FROM exercises GROUP BY platform) p), '{}'::json) AS by_platform,
            COALESCE((SELECT json_object_agg(category, n) FROM (SELECT coalesce(category, 'uncategorised') AS category, count(*)::int AS n FROM exercises GROUP BY 1) c), '{}'::json) AS by_category
     FROM exercises`,
  );
  const parseJson = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, number>;
  return {
    total_exercises: Number(row!.total_exercises),
    avg_fitness_level: row!.avg_fitness_level === null ? null : Number(row!.avg_fitness_level),
    avg_intensity: row!.avg_intensity === null ? null : Number(row!.avg_intensity),
    unique_urls: Number(row!.unique_urls),
    total_routines: Number(row!.total_routines),
    exercises_with_clips: Number(row!.exercises_with_clips),
    by_platform: parseJson(row!.by_platform),
    by_category: parseJson(row!.by_category),
  };
}

export async function countExercises(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM exercises');
  return Number(row?.n ?? 0);
}

/** Up to `limit` exercise ids after `after` (null: from the start), in id order. */
export async function exerciseIdPage(db: Queryable, after: string | null, limit: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>('SELECT id FROM exercises WHERE ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $1', [limit, after]);
  return rows.map((r) => String(r.id));
}
