import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { importCatalogue } from '../../services/catalogue.js';
import * as library from '../../services/library.js';
import type { CliEnv } from '../env.js';
import { EXERCISES_DEFAULT_LIMIT, EXERCISES_MAX_LIMIT, LEVEL_MAX, LEVEL_MIN } from '../../limits.js';
import { createProgress, printJson, printTable } from '../output.js';
import { addFilterOptions, filtersFromOptions } from '../filters.js';
import { int, list } from '../parse.js';

/** The exercise library: import a catalogue, list, show, edit and delete exercises, stats. */
export function registerImportCommand(program: Command, env: CliEnv): void {
  program
    .command('import')
    .description('import an exercise catalogue in the free-exercise-db format (idempotent)')
    .argument('<file>', 'JSON file, e.g. ../shared/data/free-exercise-db/exercises.json')
    .option('--source <name>', 'catalogue name used in the exercises\' source key', 'free-exercise-db')
    .action(async (file: string, opts: { source: string }) => {
      await env.withContext(async (ctx) => {
        const progress = createProgress('import', env.json());
        const result = await importCatalogue(ctx, file, { source: opts.source, onProgress: (d, t) => progress.update(d, t) });
        progress.stop();
        if (env.json()) printJson(result);
        else process.stdout.write(`imported ${result.inserted} of ${result.total} exercises (${result.skipped} already present) in ${result.seconds} s\n`);
      });
    });
}

export function registerExerciseCommands(program: Command, env: CliEnv): void {
  const exercises = program.command('exercises').description('list, show and delete exercises');
  const listing = exercises
    .command('list')
    .option('-n, --limit <n>', 'rows', int('limit', 1, EXERCISES_MAX_LIMIT), EXERCISES_DEFAULT_LIMIT)
    .option('--offset <n>', 'skip rows', int('offset', 0, 1_000_000), 0)
    .option('--url <url>', 'every exercise from this source URL, in their order in the source');
  // `--url` lists a source in its own order (as GET /exercises?url= does), so it is no filter here.
  addFilterOptions(listing, { except: ['url'] })
    .action(async (o: { limit: number; offset: number; url?: string } & Record<string, unknown>) => {
      await env.withContext(async (ctx) => {
        const rows = o.url
          ? await library.getExercisesByUrl(ctx, o.url)
          : (await library.listExercises(ctx, filtersFromOptions(o, { except: ['url'] }), { limit: o.limit, offset: o.offset })).items;
        if (env.json()) return printJson(rows);
        printTable(rows, ['id', 'exercise_name', 'category', 'fitness_level', 'intensity', 'platform']);
      });
    });
  exercises
    .command('show')
    .argument('<id>')
    .action(async (id: string) => env.withContext(async (ctx) => printJson(await library.getExercise(ctx, id))));
  exercises
    .command('update')
    .argument('<id>')
    .description('edit metadata (re-embeds the exercise)')
    .option('--name <name>')
    .option('--how-to <text>')
    .option('--level <n>', `fitness level ${LEVEL_MIN}-${LEVEL_MAX}`, int('level', LEVEL_MIN, LEVEL_MAX))
    .option('--intensity <n>', `intensity ${LEVEL_MIN}-${LEVEL_MAX}`, int('intensity', LEVEL_MIN, LEVEL_MAX))
    .option('--reps <text>', 'rounds and reps')
    .option('--category <name>')
    .option('--equipment <name>')
    .option('--muscles <list>', 'primary muscles, comma-separated', list)
    .action(async (id: string, o: Record<string, unknown>) =>
      env.withContext(async (ctx) => {
        const patch = Object.fromEntries(
          Object.entries({
            exercise_name: o.name,
            how_to: o.howTo,
            fitness_level: o.level,
            intensity: o.intensity,
            rounds_reps: o.reps,
            category: o.category,
            equipment: o.equipment,
            primary_muscles: o.muscles,
          }).filter(([, v]) => v !== undefined),
        );
        if (Object.keys(patch).length === 0) throw new ValidationError('options', 'give at least one field to change');
        const updated = await library.updateExercise(ctx, id, patch);
        if (env.json()) printJson(updated);
        else process.stdout.write(`updated ${updated.exercise_name} (${updated.id})\n`);
      }),
    );
  exercises
    .command('delete')
    .argument('<id>')
    .action(async (id: string) =>
      env.withContext(async (ctx) => {
        const deleted = await library.deleteExercise(ctx, id);
        if (env.json()) printJson({ deleted: deleted.id });
        else process.stdout.write(`deleted ${deleted.exercise_name} (${deleted.id})\n`);
      }),
    );

  program
    .command('stats')
    .description('library counts and averages')
    .action(async () => env.withContext(async (ctx) => printJson(await library.getStats(ctx))));
}
