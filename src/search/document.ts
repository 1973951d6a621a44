import type { ExerciseInput } from '../database/types.js';

/**
 * The three weighted parts of an exercise's full-text document: the name ranks above the
 * taxonomy, which ranks above the free text. Pure; the store turns them into a tsvector.
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
>;

export function searchDocumentParts(row: DocumentSource): SearchDocumentParts {
  const taxonomy = [
    row.category,
    ...(row.primary_muscles ?? []),
    ...(row.secondary_muscles ?? []),
    row.equipment,
    row.force,
    row.mechanic,
  ].filter(Boolean);
  const body = [row.how_to, row.benefits, row.counteracts, row.rounds_reps].filter(Boolean);
  return { name: row.exercise_name, taxonomy: taxonomy.join(' '), body: body.join('\n') };
}
