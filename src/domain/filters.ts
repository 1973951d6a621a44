import { z } from 'zod';
import { PLATFORMS } from './exercise.js';
import { level, MAX_NAME_LENGTH, seconds, tag } from './rules.js';

/**
 * The metadata filters, declared once. FILTER_FIELDS says what each filter is (its kind, and for
 * ranges the scale and the query-string name); the type, the store's validation below, the API's
 * body and query parameters (api/schemas.ts) and the CLI options (cli/filters.ts) are derived
 * from it. Each backend translates every key (SQL in database/filters.ts, the in-memory row test in
 * search/memory/filters.ts, Qdrant in vectors/qdrant-filter.ts), each through a record keyed by
 * FilterKey, so a new entry here does not compile until all three say what it means.
 */

/** The movement's force as the catalogue records it. */
export const FORCES = ['push', 'pull', 'static'] as const;
export type ExerciseForce = (typeof FORCES)[number];

export type FilterField = { readonly about: string } & (
  /** A case-insensitive substring, matched literally (no wildcards). */
  | { readonly kind: 'text' }
  /** Inclusive bounds on a number; `param` names it in query strings and CLI options (min_<param>). */
  | { readonly kind: 'range'; readonly scale: 'level' | 'seconds'; readonly param: string }
  /** Any of these free-text tags (compared lower-cased). */
  | { readonly kind: 'tags' }
  /** Any of a closed set of values. */
  | { readonly kind: 'choice'; readonly values: readonly string[] }
  /** A source URL, compared by its normalized form. */
  | { readonly kind: 'url' }
  /** A yes/no property. */
  | { readonly kind: 'flag' }
);

/** `about`: the filter in a few words, for help texts (CLI options, API docs). */
export const FILTER_FIELDS = {
  name: { kind: 'text', about: 'name contains this text (any case)' },
  fitness_level: { kind: 'range', scale: 'level', param: 'level', about: 'fitness level' },
  intensity: { kind: 'range', scale: 'level', param: 'intensity', about: 'intensity' },
  duration: { kind: 'range', scale: 'seconds', param: 'duration', about: 'clip duration in seconds' },
  category: { kind: 'tags', about: 'categories' },
  muscles: { kind: 'tags', about: 'muscles (primary or secondary)' },
  equipment: { kind: 'tags', about: 'equipment' },
  platform: { kind: 'choice', values: PLATFORMS, about: 'source platforms' },
  url: { kind: 'url', about: 'source URL (compared normalized)' },
  has_clip: { kind: 'flag', about: 'only exercises with a clip' },
  force: { kind: 'choice', values: FORCES, about: 'force of the movement' },
} as const satisfies Record<string, FilterField>;

export type FilterKey = keyof typeof FILTER_FIELDS;
export const FILTER_KEYS = Object.keys(FILTER_FIELDS) as FilterKey[];

export interface Range {
  min?: number;
  max?: number;
}

type ValueOf<F extends FilterField> = F extends { kind: 'range' }
  ? Range
  : F extends { kind: 'tags' }
    ? string[]
    : F extends { kind: 'choice'; values: readonly (infer V)[] }
      ? V[]
      : F extends { kind: 'flag' }
        ? boolean
        : string;

/** Metadata filters shared by the relational listing, the vector search and full text. */
export type ExerciseFilters = { [K in FilterKey]?: ValueOf<(typeof FILTER_FIELDS)[K]> };

const SCALES = { level, seconds } as const;

const range = (bound: z.ZodNumber) =>
  z
    .object({ min: bound.optional(), max: bound.optional() })
    .strict()
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { message: 'min must not exceed max' });

const tagList = z.array(tag.transform((s) => s.toLowerCase())).min(1).max(50);

function ruleFor(field: FilterField): z.ZodType {
  switch (field.kind) {
    case 'text':
      return z.string().trim().min(1).max(MAX_NAME_LENGTH);
    case 'range':
      return range(SCALES[field.scale]);
    case 'tags':
      return tagList;
    case 'choice':
      return z.array(z.enum(field.values as [string, ...string[]])).min(1);
    case 'url':
      return z.string().min(1).max(2048);
    case 'flag':
      return z.boolean();
  }
}

/** Builds one zod field per filter key; used by the store's rules here and by the API's shape. */
export function filterShape(rule: (field: FilterField, key: FilterKey) => z.ZodType): Record<FilterKey, z.ZodType> {
  return Object.fromEntries(FILTER_KEYS.map((key) => [key, rule(FILTER_FIELDS[key], key)])) as Record<FilterKey, z.ZodType>;
}

/** The domain's rules for filters, applied by every store read that filters. */
export const filtersSchema = z
  .object(Object.fromEntries(FILTER_KEYS.map((key) => [key, ruleFor(FILTER_FIELDS[key]).optional()])))
  .strict() as unknown as z.ZodType<ExerciseFilters, ExerciseFilters>;
