import type { ExerciseFilters } from '../database/types.js';
import type { Exercise } from '../domain/index.js';
import { FILTER_KEYS, type FilterKey } from '../domain/index.js';
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
  force?: string;
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
  force: 'keyword',
  muscles: 'keyword',
  source: 'keyword',
  platform: 'keyword',
  has_clip: 'bool',
  model: 'keyword',
};

type PayloadRow = Pick<
  Exercise,
  'category' | 'fitness_level' | 'intensity' | 'duration' | 'equipment' | 'force' | 'primary_muscles' | 'secondary_muscles' | 'normalized_url' | 'platform' | 'video_path'
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
  if (row.force !== null) payload.force = row.force;
  return payload;
}

export type QdrantCondition =
  | { key: string; match: { any: string[] } | { value: string | boolean } }
  | { key: string; range: { gte?: number; lte?: number } }
  | { has_id: string[] };

export interface QdrantFilter {
  must: QdrantCondition[];
}

type Condition<K extends FilterKey> = (value: NonNullable<ExerciseFilters[K]>, nameIds: readonly string[] | undefined) => QdrantCondition[];

const range =
  (key: string): Condition<'fitness_level' | 'intensity' | 'duration'> =>
  (r) =>
    r.min === undefined && r.max === undefined
      ? []
      : [{ key, range: { ...(r.min !== undefined ? { gte: r.min } : {}), ...(r.max !== undefined ? { lte: r.max } : {}) } }];
const anyOf =
  (key: string): Condition<'category' | 'muscles' | 'equipment' | 'platform' | 'force'> =>
  (list) =>
    list.length ? [{ key, match: { any: [...list] } }] : [];

/** Every filter key's Qdrant meaning: a key missing here does not compile (see domain/filters.ts). */
const CONDITIONS: { [K in FilterKey]: Condition<K> } = {
  name: (_text, nameIds) => [{ has_id: [...(nameIds ?? [])] }],
  fitness_level: range('level'),
  intensity: range('intensity'),
  duration: range('duration'),
  category: anyOf('category'),
  muscles: anyOf('muscles'),
  equipment: anyOf('equipment'),
  platform: anyOf('platform'),
  url: (url) => (url ? [{ key: 'source', match: { value: normalizeUrl(url).normalized } }] : []),
  has_clip: (yes) => [{ key: 'has_clip', match: { value: yes } }],
  force: anyOf('force'),
};

/**
 * `nameIds`: ids whose name matches `filters.name`, resolved in PostgreSQL beforehand: Qdrant's
 * text match is by token, while ours is a literal substring (ILIKE), so the name filter travels
 * as an id condition. Returns undefined when nothing filters.
 */
export function toQdrantFilter(filters: ExerciseFilters, nameIds?: readonly string[]): QdrantFilter | undefined {
  const must = FILTER_KEYS.flatMap((key) => {
    const value = filters[key];
    return value === undefined ? [] : (CONDITIONS[key] as Condition<FilterKey>)(value as never, nameIds);
  });
  return must.length ? { must } : undefined;
}
