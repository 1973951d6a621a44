import type { ExerciseFilters } from '../database/types.js';
import type { Exercise } from '../domain/index.js';
import { normalizeUrl } from '../urls/index.js';

/**
 * The Qdrant side of our metadata filters, pure: what a point carries (its payload) and how an
 * `ExerciseFilters` object becomes a Qdrant filter with the same meaning as
 * `buildExerciseFilter`'s SQL. Search applies it inside Qdrant, so `limit` hits that match come
 * back without over-fetching.
 */

/** Payload fields, each with a payload index (see PAYLOAD_INDEXES). Absent when the row's value is null. */
export interface ExercisePayload {
  category?: string;
  level?: number;
  intensity?: number;
  duration?: number;
  equipment?: string;
  /** Primary and secondary muscles together: the filter matches either. */
  muscles: string[];
  /** The normalized source URL. */
  source: string;
  platform: string;
  has_clip: boolean;
  /** The embedder that made the vector (checked by `vectors verify`). */
  model: string;
}

export const PAYLOAD_INDEXES: Record<string, 'keyword' | 'integer' | 'float' | 'bool'> = {
  category: 'keyword',
  level: 'integer',
  intensity: 'integer',
  duration: 'float',
  equipment: 'keyword',
  muscles: 'keyword',
  source: 'keyword',
  platform: 'keyword',
  has_clip: 'bool',
  model: 'keyword',
};

type PayloadRow = Pick<
  Exercise,
  'category' | 'fitness_level' | 'intensity' | 'duration' | 'equipment' | 'primary_muscles' | 'secondary_muscles' | 'normalized_url' | 'platform' | 'video_path'
>;

export function exercisePayload(row: PayloadRow, model: string): ExercisePayload {
  const payload: ExercisePayload = {
    muscles: [...new Set([...row.primary_muscles, ...row.secondary_muscles])],
    source: row.normalized_url,
    platform: row.platform,
    has_clip: row.video_path !== null,
    model,
  };
  if (row.category !== null) payload.category = row.category;
  if (row.fitness_level !== null) payload.level = row.fitness_level;
  if (row.intensity !== null) payload.intensity = row.intensity;
  if (row.duration !== null) payload.duration = row.duration;
  if (row.equipment !== null) payload.equipment = row.equipment;
  return payload;
}

export type QdrantCondition =
  | { key: string; match: { any: string[] } | { value: string | boolean } }
  | { key: string; range: { gte?: number; lte?: number } }
  | { has_id: string[] };

export interface QdrantFilter {
  must: QdrantCondition[];
}

/**
 * `nameIds`: ids whose name matches `filters.name`, resolved in PostgreSQL beforehand: Qdrant's
 * text match is by token, while ours is a literal substring (ILIKE), so the name filter travels
 * as an id condition. Returns undefined when nothing filters.
 */
export function toQdrantFilter(filters: ExerciseFilters, nameIds?: readonly string[]): QdrantFilter | undefined {
  const must: QdrantCondition[] = [];
  const range = (key: string, r: { min?: number; max?: number } | undefined) => {
    if (!r || (r.min === undefined && r.max === undefined)) return;
    must.push({ key, range: { ...(r.min !== undefined ? { gte: r.min } : {}), ...(r.max !== undefined ? { lte: r.max } : {}) } });
  };
  if (filters.name !== undefined) must.push({ has_id: [...(nameIds ?? [])] });
  range('level', filters.fitness_level);
  range('intensity', filters.intensity);
  range('duration', filters.duration);
  if (filters.category?.length) must.push({ key: 'category', match: { any: filters.category } });
  if (filters.equipment?.length) must.push({ key: 'equipment', match: { any: filters.equipment } });
  if (filters.platform?.length) must.push({ key: 'platform', match: { any: filters.platform } });
  if (filters.muscles?.length) must.push({ key: 'muscles', match: { any: filters.muscles } });
  if (filters.url) must.push({ key: 'source', match: { value: normalizeUrl(filters.url).normalized } });
  if (filters.has_clip !== undefined) must.push({ key: 'has_clip', match: { value: filters.has_clip } });
  return must.length ? { must } : undefined;
}
