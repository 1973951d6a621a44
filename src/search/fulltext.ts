import type { Queryable } from '../database/db.js';
import { buildExerciseFilter } from '../database/filters.js';
import type { ExerciseFilters } from '../database/types.js';
import { contentStems, FRAME_WORDS, STOP_WORDS, tokenize } from '../language/text.js';
import { analyzeQuery, expansionWords } from '../language/query.js';
import { FILLERS } from '../language/vocabulary.js';

/**
 * Full-text ranking over the weighted `search_document` (name A, taxonomy and synonyms B, text C).
 *
 * The query is an OR of the user's content words plus the vocabulary's words for the concepts
 * they named ("pecs" adds chest, pectoral). An AND of every word (websearch_to_tsquery) is too
 * strict for sentences like "a few moves to ease stiff shoulders before work": one word absent
 * from a document would drop it. Ranking then rewards documents matching more, and more
 * important, terms.
 */

const SAFE_WORD = /^[a-z0-9]+$/;

function termFor(phrase: string): string | null {
  const words = tokenize(phrase).filter((w) => SAFE_WORD.test(w));
  if (words.length === 0) return null;
  return words.length === 1 ? words[0]! : `(${words.join(' <-> ')})`;
}

/**
 * The text for `to_tsquery('english', ...)`, or null when the query has no searchable word.
 * Only [a-z0-9] words and our own operators reach PostgreSQL, so user text cannot break the syntax.
 * Words a negation reaches ("without jumping") are left out; a multi-word vocabulary phrase
 * ("farmer's walk") is searched as a phrase, not as its separate words.
 */
export function buildTsQuery(query: string): string | null {
  const tokens = tokenize(query);
  const analysis = analyzeQuery(query);
  const phraseAt = new Map(analysis.phrases.map(([start, end]) => [start, end]));
  const terms = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const end = phraseAt.get(i);
    if (end !== undefined) {
      const words = tokens.slice(i, end + 1).filter((w) => !STOP_WORDS.has(w) && !FILLERS.has(w));
      const t = analysis.setAsideTokens.has(i) ? null : termFor(words.join(' '));
      if (t) terms.add(t);
      i = end;
      continue;
    }
    const w = tokens[i]!;
    if (analysis.setAsideTokens.has(i) || STOP_WORDS.has(w) || FRAME_WORDS.has(w)) continue;
    const t = termFor(w);
    if (t) terms.add(t);
  }
  for (const phrase of expansionWords(query)) {
    const t = termFor(phrase);
    if (t) terms.add(t);
  }
  return terms.size ? [...terms].join(' | ') : null;
}

/** Whether a query has any word the full-text side can use (the vector side may still answer). */
export function hasSearchableWords(query: string): boolean {
  return contentStems(query).length > 0;
}

/** ts_rank weights for {D, C, B, A}: name over taxonomy over text. */
export const RANK_WEIGHTS = '{0.05, 0.2, 0.5, 1.0}';

export interface FulltextHit {
  id: string;
  rank: number;
  /** The exercise name: the tie-break after rank, so equal ranks come in the same order everywhere. */
  name: string;
}

export async function rankFulltext(
  db: Queryable,
  query: string,
  opts: { limit: number; filters?: ExerciseFilters; within?: readonly string[] },
): Promise<FulltextHit[]> {
  const tsquery = buildTsQuery(query);
  if (!tsquery) return [];
  if (opts.within && opts.within.length === 0) return [];
  const where = buildExerciseFilter(opts.filters ?? {}, { alias: 'e', firstParam: 3 });
  const within = opts.within ? ` AND e.id = ANY($${3 + where.params.length}::uuid[])` : '';
  const rows = await db.query<{ id: string; rank: number; name: string }>(
    `SELECT e.id, e.exercise_name AS name, ts_rank('${RANK_WEIGHTS}', e.search_document, q) AS rank
     FROM exercises e, to_tsquery('english', $1) q
     WHERE e.search_document @@ q AND ${where.sql}${within}
     ORDER BY rank DESC, e.exercise_name COLLATE "C", e.id LIMIT $2`,
    [tsquery, opts.limit, ...where.params, ...(opts.within ? [opts.within] : [])],
  );
  return rows.map((r) => ({ id: String(r.id), rank: Number(r.rank), name: String(r.name) }));
}
