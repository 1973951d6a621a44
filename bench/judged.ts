/**
 * Search quality on the hand-judged development set (queries-judged-dev.json: everyday queries
 * graded 0-3 exercise by exercise): imports the catalogue as `bench/quality.ts` does and prints
 * nDCG@10, P@5 and recall@20 for BM25-like full text, the vector side alone and the served hybrid
 * search, with the definitions of the set's own scorer (judged_eval.py): gain = grade, ideal = the
 * query's judged grades sorted, P@5 and recall@20 count grades >= 2, unjudged ids are grade 0.
 *
 * It also sends generated nonsense (random letters, keyboard mash, seeded) and every dev query of
 * both sets, and counts how many answer "no good match" (an empty list).
 *
 *   npx tsx bench/run.ts search-judged        (BENCH_VERBOSE=1 adds per-query rows)
 *   FB_JUDGED=...                             override the judged set
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rankFulltext } from '../src/search/fulltext.js';
import { candidateFacts } from '../src/search/facts.js';
import { compareByName, HYBRID_PARAMS, queryIntent, rankHybrid } from '../src/search/hybrid.js';
import { seededRandom } from './judgments.js';
import { loadCatalogue, readQueries, type LoadedCatalogue } from './quality.js';
import { findExercises } from '../src/services/search.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const JUDGED_FILE = process.env.FB_JUDGED ?? path.resolve(here, '../../shared/data/free-exercise-db/queries-judged-dev.json');

interface JudgedQuery {
  id: string;
  query: string;
  judgments: Record<string, number>;
}

interface Scores {
  ndcg10: number;
  p5: number;
  recall20: number;
}

const dcg = (gains: readonly number[]) => gains.reduce((s, g, i) => s + g / Math.log2(i + 2), 0);

export function scoreJudged(ranked: readonly string[], judgments: Record<string, number>): Scores {
  const top = [...new Set(ranked)];
  const grades = top.map((id) => judgments[id] ?? 0);
  const ideal = dcg(Object.values(judgments).sort((a, b) => b - a).slice(0, 10));
  const relevant = Object.entries(judgments).filter(([, g]) => g >= 2).map(([id]) => id);
  const top20 = new Set(top.slice(0, 20));
  return {
    ndcg10: ideal > 0 ? dcg(grades.slice(0, 10)) / ideal : 0,
    p5: grades.slice(0, 5).filter((g) => g >= 2).length / 5,
    recall20: relevant.length ? relevant.filter((id) => top20.has(id)).length / relevant.length : 0,
  };
}

const mean = (list: readonly Scores[]): Scores => {
  const n = Math.max(1, list.length);
  return {
    ndcg10: list.reduce((s, x) => s + x.ndcg10, 0) / n,
    p5: list.reduce((s, x) => s + x.p5, 0) / n,
    recall20: list.reduce((s, x) => s + x.recall20, 0) / n,
  };
};

/** Seeded nonsense: random letter strings and runs along keyboard rows, one to three words. */
export function nonsenseQueries(count: number, seed = 7): string[] {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const rows = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
  const word = (mash: boolean) => {
    const length = 3 + pick(7);
    if (!mash) return Array.from({ length }, () => String.fromCharCode(97 + pick(26))).join('');
    const row = rows[pick(rows.length)]!;
    const from = pick(row.length - 2);
    return Array.from({ length }, (_, i) => row[Math.min(row.length - 1, from + ((i * (1 + pick(2))) % (row.length - from)))]!).join('');
  };
  return Array.from({ length: count }, (_, i) => Array.from({ length: 1 + pick(3) }, () => word(i % 2 === 1)).join(' '));
}

export interface JudgedResult {
  queries: number;
  rows: ({ ranker: string } & Scores)[];
  perQuery: { id: string; query: string; fulltext: number; hybrid: number }[];
  nonsense: { total: number; noMatch: number };
  real: { total: number; noMatch: string[] };
}

async function served(c: LoadedCatalogue, query: string): Promise<string[]> {
  const result = await findExercises(c.service, query, { limit: 20 });
  return result.items.map((i) => c.catalogueIdOf.get(i.exercise.id) ?? i.exercise.id);
}

export async function runJudged(): Promise<JudgedResult> {
  const queries = JSON.parse(fs.readFileSync(JUDGED_FILE, 'utf8')) as JudgedQuery[];
  const c = await loadCatalogue();
  try {
    const toCatalogue = (ids: string[]) => ids.map((id) => c.catalogueIdOf.get(id) ?? id);
    const ft: Scores[] = [];
    const vec: Scores[] = [];
    const hyb: Scores[] = [];
    const base: Scores[] = [];
    const perQuery: JudgedResult['perQuery'] = [];
    for (const q of queries) {
      const text = (await rankFulltext(c.db, q.query, { limit: 100 })).map((h) => ({ id: h.id, score: h.rank }));
      const [vector] = await c.embedder.embed([q.query], 'query');
      const semantic = await c.index.search(vector!, { limit: 100 });
      const facts = await candidateFacts(c.db, [...text.map((h) => h.id), ...semantic.map((h) => h.id)]);
      const named = (id: string) => ({ id, name: facts.get(id)?.name ?? '' });
      const top = (hits: { id: string; score: number }[]) =>
        toCatalogue([...hits].sort((a, b) => b.score - a.score || compareByName(named(a.id), named(b.id))).slice(0, 20).map((h) => h.id));
      // The served fusion and priors without what reads people: no profile preferences, exclusions,
      // name boosts or rewriting (the query's own words, ranked by the same two rankers).
      const intent = queryIntent(q.query);
      const plain = rankHybrid(
        [
          { name: 'fulltext', weight: HYBRID_PARAMS.fulltext, hits: text },
          { name: 'vector', weight: HYBRID_PARAMS.vector, hits: semantic.filter((h) => h.score > 1e-9) },
        ],
        facts,
        { wantsStretch: intent.wantsStretch, avoid: intent.avoid },
        HYBRID_PARAMS,
      );
      base.push(scoreJudged(toCatalogue(plain.slice(0, 20).map((x) => x.id)), q.judgments));
      const f = scoreJudged(top(text), q.judgments);
      const h = scoreJudged(await served(c, q.query), q.judgments);
      ft.push(f);
      vec.push(scoreJudged(top(semantic), q.judgments));
      hyb.push(h);
      perQuery.push({ id: q.id, query: q.query, fulltext: f.ndcg10, hybrid: h.ndcg10 });
    }
    const nonsense = nonsenseQueries(40);
    let noMatch = 0;
    for (const q of nonsense) if ((await findExercises(c.service, q, { limit: 20 })).items.length === 0) noMatch++;
    const real = [...queries.map((q) => q.query), ...readQueries().map((q) => q.query)];
    const wrong: string[] = [];
    for (const q of real) if ((await findExercises(c.service, q, { limit: 20 })).items.length === 0) wrong.push(q);
    return {
      queries: queries.length,
      rows: [
        { ranker: 'fulltext (BM25-like ts_rank)', ...mean(ft) },
        { ranker: 'vector (offline embedder)', ...mean(vec) },
        { ranker: 'hybrid fusion and priors only (no profile preferences, exclusions, name boosts, rewriting)', ...mean(base) },
        { ranker: '**hybrid (served)**', ...mean(hyb) },
      ],
      perQuery,
      nonsense: { total: nonsense.length, noMatch },
      real: { total: real.length, noMatch: wrong },
    };
  } finally {
    await c.db.close();
  }
}

export function judgedTable(r: JudgedResult): string {
  return [
    `Hand-judged dev set: ${r.queries} queries graded 0-3 exercise by exercise (queries-judged-dev.json), scored with the definitions of its judged_eval.py; each ranker's top 20, ties by name.`,
    '',
    '| ranker | nDCG@10 | P@5 | recall@20 |',
    '|---|---|---|---|',
    ...r.rows.map((x) => `| ${x.ranker} | ${x.ndcg10.toFixed(3)} | ${x.p5.toFixed(3)} | ${x.recall20.toFixed(3)} |`),
    '',
    `No good match: ${r.nonsense.noMatch} of ${r.nonsense.total} generated nonsense queries (random letters and keyboard mash, seeded); ${r.real.noMatch.length} of ${r.real.total} real dev queries (both dev sets) wrongly.`,
  ].join('\n');
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const result = await runJudged();
  if (process.env.BENCH_VERBOSE === '1') for (const q of result.perQuery) console.log(`${q.id}  ft ${q.fulltext.toFixed(2)}  hyb ${q.hybrid.toFixed(2)}  ${q.query}`);
  console.log(judgedTable(result));
}
