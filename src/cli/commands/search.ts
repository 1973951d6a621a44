import type { Command } from 'commander';
import { SCORE_THRESHOLD_MAX, SCORE_THRESHOLD_MIN, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT } from '../../limits.js';
import { searchExercises } from '../../services/search.js';
import type { CliEnv } from '../env.js';
import { createProgress, printJson, printTable } from '../output.js';
import { addFilterOptions, filtersFromOptions } from '../filters.js';
import { int, num } from '../parse.js';

/** Finding exercises (search); reindex lives with the vector-store commands (vectors.ts). */
export function registerSearchCommands(program: Command, env: CliEnv): void {
  const search = program
    .command('search')
    .description('search the library in natural language')
    .argument('<query>')
    .option('-n, --limit <n>', 'results', int('limit', 1, SEARCH_MAX_LIMIT), SEARCH_DEFAULT_LIMIT)
    .option('--diverse', 'five different movements rather than five variations of one')
    .option('--threshold <score>', `minimum score ${SCORE_THRESHOLD_MIN}-${SCORE_THRESHOLD_MAX}`, num('threshold', SCORE_THRESHOLD_MIN, SCORE_THRESHOLD_MAX));
  addFilterOptions(search).action(async (query: string, o: Record<string, unknown>) => {
    const filters = filtersFromOptions(o);
    await env.withContext(async (ctx) => {
      const found = await searchExercises(ctx, query, {
        limit: o.limit as number,
        filters,
        diverse: Boolean(o.diverse),
        scoreThreshold: o.threshold as number | undefined,
      });
      if (env.json()) return printJson(found);
      printTable(
        found.results.map((r, i) => ({
          '#': i + 1,
          name: r.exercise.exercise_name,
          score: r.score.toFixed(3),
          level: r.exercise.fitness_level,
          intensity: r.exercise.intensity,
          category: r.exercise.category,
          source: r.exercise.url ?? r.exercise.normalized_url,
        })),
        ['#', 'name', 'score', 'level', 'intensity', 'category', 'source'],
      );
      process.stdout.write(`ranker: ${found.ranker}\n`);
    });
  });
}
