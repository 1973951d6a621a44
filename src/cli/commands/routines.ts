import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import * as library from '../../services/library.js';
import type { CliEnv } from '../env.js';
import { ROUTINES_DEFAULT_LIMIT, ROUTINES_MAX_LIMIT } from '../../limits.js';
import { printJson, printTable } from '../output.js';
import { int, list } from '../parse.js';

/** Workout routines: list, show, create, update, export and delete. */
export function registerRoutineCommands(program: Command, env: CliEnv): void {
  const routines = program.command('routines').description('list, show, create, export and delete routines');
  routines
    .command('list')
    .option('-n, --limit <n>', 'rows', int('limit', 1, ROUTINES_MAX_LIMIT), ROUTINES_DEFAULT_LIMIT)
    .action(async (o: { limit: number }) =>
      env.withContext(async (ctx) => {
        const rows = await library.listRoutines(ctx, o.limit);
        if (env.json()) return printJson(rows);
        printTable(
          rows.map((r) => ({ ...r, exercises: r.exercise_ids.length })),
          ['routine_id', 'name', 'exercises', 'created_at'],
        );
      }),
    );
  routines
    .command('show')
    .argument('<id>')
    .action(async (id: string) =>
      env.withContext(async (ctx) => {
        const routine = await library.getRoutine(ctx, id);
        const items = await library.getExercisesByIds(ctx, routine.exercise_ids);
        if (env.json()) return printJson({ ...routine, exercises: items });
        process.stdout.write(`${routine.name}${routine.description ? `: ${routine.description}` : ''}\n`);
        printTable(items.map((e, i) => ({ '#': i + 1, name: e.exercise_name, reps: e.rounds_reps, clip: e.video_path })), ['#', 'name', 'reps', 'clip']);
      }),
    );
  routines
    .command('create')
    .requiredOption('--name <name>')
    .option('--description <text>')
    .requiredOption('--exercises <ids>', 'comma-separated exercise ids, in order', list)
    .action(async (o: { name: string; description?: string; exercises: string[] }) =>
      env.withContext(async (ctx) => {
        const routine = await library.createRoutine(ctx, { name: o.name, description: o.description ?? null, exercise_ids: o.exercises });
        if (env.json()) printJson(routine);
        else process.stdout.write(`${routine.routine_id}\n`);
      }),
    );
  routines
    .command('update')
    .argument('<id>')
    .description('rename, re-describe or reorder (--exercises is the new complete order)')
    .option('--name <name>')
    .option('--description <text>')
    .option('--exercises <ids>', 'comma-separated exercise ids, in order', list)
    .action(async (id: string, o: { name?: string; description?: string; exercises?: string[] }) =>
      env.withContext(async (ctx) => {
        const patch = {
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...(o.description !== undefined ? { description: o.description } : {}),
          ...(o.exercises !== undefined ? { exercise_ids: o.exercises } : {}),
        };
        if (Object.keys(patch).length === 0) throw new ValidationError('options', 'give at least one field to change');
        const routine = await library.updateRoutine(ctx, id, patch);
        if (env.json()) printJson(routine);
        else process.stdout.write(`updated ${routine.name} (${routine.exercise_ids.length} exercises)\n`);
      }),
    );
  routines
    .command('export')
    .argument('<id>')
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .description('the routine with its full exercises as JSON')
    .action(async (id: string, o: { out?: string }) =>
      env.withContext(async (ctx) => {
        const routine = await library.getRoutine(ctx, id);
        const items = await library.getExercisesByIds(ctx, routine.exercise_ids);
        const text = `${JSON.stringify({ ...routine, exercises: items }, null, 2)}\n`;
        if (o.out) await fs.writeFile(o.out, text);
        else process.stdout.write(text);
      }),
    );
  routines
    .command('delete')
    .argument('<id>')
    .action(async (id: string) =>
      env.withContext(async (ctx) => {
        await library.deleteRoutine(ctx, id);
        if (!env.json()) process.stdout.write('deleted\n');
        else printJson({ deleted: id });
      }),
    );
}
