/**
 * Search state <-> URL query string <-> API request body. The URL is the source of truth so a
 * search can be bookmarked, shared and navigated back to; defaults are left out of the URL.
 */
import { MAX_QUERY_LENGTH, SCORE_THRESHOLD_MAX, SCORE_THRESHOLD_MIN } from './limits.js';

export interface NumRange {
  min?: number;
  max?: number;
}

export interface SearchState {
  q: string;
  muscles: string[];
  equipment: string[];
  category: string[];
  level: NumRange;
  intensity: NumRange;
  duration: NumRange;
  /** Source video URL: only clips cut from it. */
  source: string;
  /** Minimum relevance score, 0 (off) to 1. */
  cutoff: number;
  diverse: boolean;
}

export const EMPTY_SEARCH: SearchState = {
  q: '',
  muscles: [],
  equipment: [],
  category: [],
  level: {},
  intensity: {},
  duration: {},
  source: '',
  cutoff: 0,
  diverse: false,
};

const LISTS = ['muscles', 'equipment', 'category'] as const;
const RANGES = [
  ['level', 0, 10],
  ['intensity', 0, 10],
  ['duration', 0, 3600],
] as const;

function num(value: string | null, lo: number, hi: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : undefined;
}

function list(value: string | null): string[] {
  if (!value) return [];
  return [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))].sort();
}

export function searchToParams(state: SearchState): URLSearchParams {
  const p = new URLSearchParams();
  if (state.q.trim()) p.set('q', state.q.trim());
  for (const key of LISTS) if (state[key].length) p.set(key, [...state[key]].sort().join(','));
  for (const [key] of RANGES) {
    const r = state[key];
    if (r.min !== undefined) p.set(`${key}_min`, String(r.min));
    if (r.max !== undefined) p.set(`${key}_max`, String(r.max));
  }
  if (state.source.trim()) p.set('source', state.source.trim());
  if (state.cutoff > 0) p.set('cutoff', String(state.cutoff));
  if (state.diverse) p.set('diverse', '1');
  return p;
}

export function paramsToSearch(p: URLSearchParams): SearchState {
  const state: SearchState = { ...EMPTY_SEARCH, q: (p.get('q') ?? '').slice(0, MAX_QUERY_LENGTH) };
  for (const key of LISTS) state[key] = list(p.get(key));
  for (const [key, lo, hi] of RANGES) {
    const min = num(p.get(`${key}_min`), lo, hi);
    const max = num(p.get(`${key}_max`), lo, hi);
    state[key] = { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
  }
  state.source = p.get('source') ?? '';
  state.cutoff = num(p.get('cutoff'), SCORE_THRESHOLD_MIN, SCORE_THRESHOLD_MAX) ?? SCORE_THRESHOLD_MIN;
  state.diverse = p.get('diverse') === '1' || p.get('diverse') === 'true';
  return state;
}

/** True when the state asks for something (a query or any filter). */
export function hasCriteria(state: SearchState): boolean {
  return searchToParams({ ...state, cutoff: 0, diverse: false }).toString() !== '';
}

export interface SearchBody {
  query: string;
  limit: number;
  diverse: boolean;
  score_threshold?: number;
  filters?: {
    muscles?: string[];
    equipment?: string[];
    category?: string[];
    fitness_level?: NumRange;
    intensity?: NumRange;
    duration?: NumRange;
    url?: string;
  };
}

export function toSearchBody(state: SearchState, limit: number): SearchBody {
  const filters: NonNullable<SearchBody['filters']> = {};
  for (const key of LISTS) if (state[key].length) filters[key] = state[key];
  if (Object.keys(state.level).length) filters.fitness_level = state.level;
  if (Object.keys(state.intensity).length) filters.intensity = state.intensity;
  if (Object.keys(state.duration).length) filters.duration = state.duration;
  if (state.source.trim()) filters.url = state.source.trim();
  return {
    query: state.q.trim(),
    limit,
    diverse: state.diverse,
    ...(state.cutoff > 0 ? { score_threshold: state.cutoff } : {}),
    ...(Object.keys(filters).length ? { filters } : {}),
  };
}

/** Adds or removes one value of a list filter. */
export function toggle(values: readonly string[], value: string): string[] {
  return values.includes(value) ? values.filter((v) => v !== value) : [...values, value].sort();
}
