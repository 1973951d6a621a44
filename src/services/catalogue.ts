import fs from 'node:fs/promises';
import { z } from 'zod';
import { existingSourceKeys } from '../database/exercises.js';
import type { ExerciseInput } from '../domain/index.js';
import { parseInput, ValidationError } from '../errors.js';
import type { AppContext } from './context.js';
import { addExercises } from './library.js';

/**
 * Reading exercise catalogues in the free-exercise-db format (an array of objects with name,
 * level, category, muscles, equipment, instructions...) and mapping them to our rows. Pure
 * apart from reading the file.
 */
const entrySchema = z.object({
  id: z.string().regex(/^[0-9A-Za-z_-]+$/, 'must be letters, digits, _ or -').max(200),
  name: z.string().trim().min(1).max(200),
  force: z.string().nullable().optional(),
  level: z.enum(['beginner', 'intermediate', 'expert']),
  mechanic: z.string().nullable().optional(),
  equipment: z.string().nullable().optional(),
  primaryMuscles: z.array(z.string()).default([]),
  secondaryMuscles: z.array(z.string()).default([]),
  instructions: z.array(z.string()).default([]),
  category: z.string().min(1),
});
export type CatalogueEntry = z.infer<typeof entrySchema>;

/** Levels on our 0-10 scale: the middle of each third. */
export const CATALOGUE_LEVELS: Record<CatalogueEntry['level'], number> = { beginner: 2, intermediate: 5, expert: 8 };

/**
 * The catalogue has no intensity; this estimate from the category (how hard such work usually
 * is) makes intensity filters useful on imported rows. README documents it as an estimate.
 */
export const CATEGORY_INTENSITY: Record<string, number> = {
  stretching: 2,
  cardio: 6,
  strength: 6,
  plyometrics: 8,
  powerlifting: 8,
  'olympic weightlifting': 8,
  strongman: 9,
};

export function catalogueKey(source: string, id: string): string {
  return `catalogue://${source}/${id}`;
}

export function mapCatalogueEntry(entry: CatalogueEntry, source = 'free-exercise-db'): ExerciseInput {
  const steps = entry.instructions.map((s) => s.trim()).filter(Boolean);
  const category = entry.category.toLowerCase();
  return {
    url: null,
    normalized_url: catalogueKey(source, entry.id),
    platform: 'catalogue',
    carousel_index: 1,
    exercise_name: entry.name,
    how_to: steps.length ? steps.join('\n') : null,
    fitness_level: CATALOGUE_LEVELS[entry.level],
    intensity: CATEGORY_INTENSITY[category] ?? null,
    category,
    primary_muscles: entry.primaryMuscles,
    secondary_muscles: entry.secondaryMuscles,
    equipment: entry.equipment ?? null,
    force: entry.force ?? null,
    mechanic: entry.mechanic ?? null,
  };
}

/** Reads and validates a catalogue file; a bad entry is refused naming its index and field. */
export async function readCatalogue(file: string): Promise<CatalogueEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ValidationError('file', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ValidationError('file', `not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) throw new ValidationError('file', 'must be a JSON array of exercises');
  return data.map((entry, i) => parseInput(entrySchema, entry, `[${i}]`));
}

export interface ImportResult {
  total: number;
  inserted: number;
  skipped: number;
  seconds: number;
}

/**
 * Imports a catalogue file idempotently: entries already present (same catalogue key) are
 * skipped, so running it twice adds nothing. Each batch commits rows and vectors together; an
 * interrupted import is completed by running it again.
 */
export async function importCatalogue(
  ctx: AppContext,
  file: string,
  options: { batchSize?: number; source?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<ImportResult> {
  const started = performance.now();
  const entries = await readCatalogue(file);
  const all = entries.map((e) => mapCatalogueEntry(e, options.source));
  // Entries already in the library are skipped before paying for their embeddings.
  const present = await existingSourceKeys(ctx.db, all.map((e) => e.normalized_url!));
  const inputs = all.filter((e) => !present.has(e.normalized_url!));
  const batchSize = options.batchSize ?? ctx.db.writeBatchSize;
  let inserted = 0;
  options.onProgress?.(0, inputs.length);
  for (let i = 0; i < inputs.length; i += batchSize) {
    const batch = inputs.slice(i, i + batchSize);
    inserted += (await addExercises(ctx, batch, { onConflict: 'skip' })).length;
    options.onProgress?.(Math.min(i + batchSize, inputs.length), inputs.length);
  }
  return {
    total: all.length,
    inserted,
    skipped: all.length - inserted,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}
