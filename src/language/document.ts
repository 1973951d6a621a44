import type { DescribedExercise } from '../domain/index.js';
import { levelWord } from './chunk.js';
import { conceptWords, movementPattern, taxonomySynonyms } from './vocabulary.js';

/**
 * The three weighted parts of an exercise's full-text document: the name ranks above the
 * taxonomy, which ranks above the free text. Pure; the store turns them into a tsvector.
 *
 * The taxonomy part also carries the precise words of each value from the vocabulary (a row
 * tagged `chest` also says "pec pectoral", `e-z curl bar` says "ez bar", `compound` says "multi
 * joint"), the level as a word, and the movement pattern its name shows ("Romanian Deadlift" ->
 * hinge), a finer concept than the catalogue's tags. Region words shared by several muscle groups
 * ("back", "leg") are not written in: the query side expands them.
 */
export interface SearchDocumentParts {
  name: string;
  taxonomy: string;
  body: string;
}

export function searchDocumentParts(row: DescribedExercise): SearchDocumentParts {
  const primary = row.primary_muscles ?? [];
  const synonyms = taxonomySynonyms([
    { kind: 'category', value: row.category },
    ...primary.map((value) => ({ kind: 'muscle' as const, value })),
    { kind: 'equipment', value: row.equipment },
    { kind: 'force', value: row.force },
    { kind: 'mechanic', value: row.mechanic },
  ]);
  const pattern = movementPattern(row.exercise_name);
  const taxonomy = [
    row.category,
    ...primary,
    ...(row.secondary_muscles ?? []),
    row.equipment ?? 'no equipment bodyweight',
    row.force,
    row.mechanic,
    row.fitness_level == null ? null : levelWord(row.fitness_level),
    ...synonyms,
    ...(pattern ? [pattern, ...conceptWords(pattern)] : []),
  ].filter(Boolean);
  const body = [row.how_to, row.benefits, row.counteracts, row.rounds_reps].filter(Boolean);
  return { name: row.exercise_name, taxonomy: taxonomy.join(' '), body: body.join('\n') };
}
