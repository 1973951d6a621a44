import type { DescribedExercise } from '../domain/index.js';

/** Chunk labels, shared with the offline embedder that weighs them. */
export const CHUNK_LABELS = {
  name: 'Exercise',
  category: 'Category',
  level: 'Level',
  intensity: 'Intensity',
  primary: 'Primary muscles',
  secondary: 'Secondary muscles',
  equipment: 'Equipment',
  force: 'Force',
  mechanic: 'Mechanic',
  howTo: 'How to',
  benefits: 'Benefits',
  counteracts: 'Counteracts',
  reps: 'Reps',
} as const;

// Long instructions add little meaning after the first paragraphs but cost tokens on paid models.
export const MAX_CHUNK_TEXT = 2000;

export function levelWord(level: number): string {
  if (level <= 3) return 'beginner';
  if (level <= 6) return 'intermediate';
  return 'advanced';
}

export function intensityWord(intensity: number): string {
  if (intensity <= 3) return 'low';
  if (intensity <= 6) return 'moderate';
  return 'high';
}

const clean = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();
const clip = (s: string): string => (s.length > MAX_CHUNK_TEXT ? `${s.slice(0, MAX_CHUNK_TEXT).replace(/\s+\S*$/, '')}…` : s);
const list = (v: readonly string[] | null | undefined): string => (v ?? []).map(clean).filter(Boolean).join(', ');

/**
 * The text that represents an exercise to an embedding model: one labelled line per field, name
 * first. Pure function of the row. Numbers are also written as words ("beginner (2/10)") because
 * models, and people reading search debug output, understand words better than bare scale values.
 * The offline embedder reads the labels to weigh fields; other models just see plain text.
 */
export function buildExerciseChunk(row: DescribedExercise): string {
  const L = CHUNK_LABELS;
  const lines: [string, string][] = [
    [L.name, clean(row.exercise_name)],
    [L.category, clean(row.category)],
    [L.level, row.fitness_level == null ? '' : `${levelWord(row.fitness_level)} (${row.fitness_level}/10)`],
    [L.intensity, row.intensity == null ? '' : `${intensityWord(row.intensity)} (${row.intensity}/10)`],
    [L.primary, list(row.primary_muscles)],
    [L.secondary, list(row.secondary_muscles)],
    // A missing equipment value mostly means none is needed (stretches, bodyweight moves).
    [L.equipment, clean(row.equipment) || 'none'],
    [L.force, clean(row.force)],
    [L.mechanic, clean(row.mechanic)],
    [L.howTo, clip(clean(row.how_to))],
    [L.benefits, clip(clean(row.benefits))],
    [L.counteracts, clip(clean(row.counteracts))],
    [L.reps, clean(row.rounds_reps)],
  ];
  return lines
    .filter(([, value]) => value !== '')
    .map(([label, value]) => `${label}: ${value}`)
    .join('\n');
}
