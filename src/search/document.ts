import type { ExerciseInput } from '../database/types.js';
import { levelWord } from './chunk.js';
import { taxonomySynonyms } from './vocabulary.js';

/**
 * The three weighted parts of an exercise's full-text document: the name ranks above the
 * taxonomy, which ranks above the free text. Pure; the store turns them into a tsvector.
 *
 * The taxonomy part also carries the everyday words of each value from the vocabulary (a row
 * tagged `chest` also says "pec pectoral", `e-z curl bar` says "ez bar"), and the level as a
 * word, so a user's words meet the row's tags without a thesaurus at query time.
 */
export interface SearchDocumentParts {
  name: string;
  taxonomy: string;
  body: string;
}

type DocumentSource = Pick<
  ExerciseInput,
  | 'exercise_name'
  | 'category'
  | 'primary_muscles'
  | 'secondary_muscles'
  | 'equipment'
  | 'force'
  | 'mechanic'
  | 'how_to'
  | 'benefits'
  | 'counteracts'
  | 'rounds_reps'
  | 'fitness_level'
>;

export function searchDocumentParts(row: DocumentSource): SearchDocumentParts {
  const primary = row.primary_muscles ?? [];
  const synonyms = taxonomySynonyms([
    { kind: 'category', value: row.category },
    ...primary.map((value) => ({ kind: 'muscle' as const, value })),
    { kind: 'equipment', value: row.equipment },
    { kind: 'force', value: row.force },
  ]);
  const taxonomy = [
    row.category,
    ...primary,
    ...(row.secondary_muscles ?? []),
    row.equipment ?? 'no equipment bodyweight',
    row.force,
    row.mechanic,
    row.fitness_level == null ? null : levelWord(row.fitness_level),
    ...synonyms,
  ].filter(Boolean);
  const body = [row.how_to, row.benefits, row.counteracts, row.rounds_reps].filter(Boolean);
  return { name: row.exercise_name, taxonomy: taxonomy.join(' '), body: body.join('\n') };
}
