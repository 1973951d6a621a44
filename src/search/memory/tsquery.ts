import type { Queryable } from '../../database/db.js';
import { parseTsvector, type CompiledTsquery, type PhraseTerm } from './tsvector.js';

/**
 * `to_tsquery('english', buildTsQuery(q))` without the database: the query text is an OR of words
 * and `(w1 <-> w2 ...)` phrases, so each word's lexeme (or none, for a stopword) is all that is
 * needed. Words are looked up once in the database and remembered for the process's life.
 */

/** A word's lexemes as to_tsvector('english') gives them: [] for a stopword. */
export type LexemeLookup = (word: string) => readonly string[] | undefined;

/** The words of a buildTsQuery text, each once. */
export function tsqueryWords(text: string): string[] {
  return [...new Set(text.split(/[^a-z0-9]+/).filter(Boolean))];
}

/**
 * Compiles a buildTsQuery text as to_tsquery does: stopwords leave an OR, and inside a phrase they
 * widen the distance between the words around them (`a <-> the <-> b` is `a <2> b`). Null when a
 * word is unknown to `lexemes` or splits into several lexemes (the database path handles those).
 */
export function compileTsquery(text: string, lexemes: LexemeLookup): CompiledTsquery | null {
  const terms: PhraseTerm[] = [];
  for (const raw of text.split(' | ')) {
    const words = raw.replace(/^\(|\)$/g, '').split(' <-> ');
    const found: string[] = [];
    const offsets: number[] = [];
    let first = -1;
    for (let i = 0; i < words.length; i++) {
      const l = lexemes(words[i]!);
      if (l === undefined || l.length > 1) return null;
      if (l.length === 0) continue;
      if (first < 0) first = i;
      found.push(l[0]!);
      offsets.push(i - first);
    }
    if (found.length) terms.push({ lexemes: found, offsets });
  }
  return { terms };
}

/** to_tsquery's text output for a compiled query (tests compare it with the database's). */
export function renderTsquery(query: CompiledTsquery): string {
  const quote = (l: string) => `'${l.replace(/'/g, "''")}'`;
  return query.terms
    .map((t) => t.lexemes.map((l, i) => (i === 0 ? quote(l) : `${t.offsets[i]! - t.offsets[i - 1]! === 1 ? '<->' : `<${t.offsets[i]! - t.offsets[i - 1]!}>`} ${quote(l)}`)).join(' '))
    .join(' | ');
}

/** Words -> lexemes through the database's own english configuration, memoized. */
export function createLexemeCache(db: Queryable, maxWords = 100_000) {
  const known = new Map<string, readonly string[]>();
  return {
    lookup: (word: string) => known.get(word),
    /** Asks the database, in one query, about the words not seen before. */
    async learn(words: readonly string[]): Promise<void> {
      const fresh = words.filter((w) => !known.has(w));
      if (fresh.length === 0) return;
      const rows = await db.query<{ w: string; v: string }>(
        `SELECT w, to_tsvector('english', w)::text AS v FROM unnest($1::text[]) AS w`,
        [fresh],
      );
      // Words come from user queries: a bound keeps a long-running process from growing without end.
      if (known.size + rows.length > maxWords) known.clear();
      for (const r of rows) known.set(String(r.w), [...parseTsvector(String(r.v)).keys()]);
    },
  };
}
export type LexemeCache = ReturnType<typeof createLexemeCache>;
