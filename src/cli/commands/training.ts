import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import * as entries from '../../services/routine-entries.js';
import * as workouts from '../../services/workouts.js';
import type { Workout } from '../../training/workouts.js';
import type { CliEnv } from '../env.js';
import { printJson, printTable } from '../output.js';
import { list } from '../parse.js';

/** Numbers are checked by the stores (the same 422 rules as the API); here they are only parsed. */
const number = (name: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};
/** `8` or `8-12`. */
const reps = (value: string) => {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(value);
  if (!match) throw new InvalidArgumentError('reps must be a number or a range like 8-12');
  return { reps_min: Number(match[1]), reps_max: Number(match[2] ?? match[1]) };
};

interface TargetOptions {
  sets?: number;
  reps?: { reps_min: number; reps_max: number };
  duration?: number;
  weight?: number;
  rest?: number;
  note?: string;
  group?: string;
  kind?: 'superset' | 'circuit';
  ungroup?: boolean;
}

function targetOptions(cmd: Command): Command {
  return cmd
    .option('--sets <n>', 'target sets', number('sets'))
    .option('--reps <n|a-b>', 'reps or a range', reps)
    .option('--duration <seconds>', 'a timed set instead of reps', number('duration'))
    .option('--weight <kg>', 'weight in kg', number('weight'))
    .option('--rest <seconds>', 'rest after the entry', number('rest'))
    .option('--note <text>')
    .option('--group <label>', 'entries with one label form a superset or circuit')
    .option('--kind <kind>', 'superset or circuit')
    .option('--ungroup', 'leave the group');
}

function targets(o: TargetOptions) {
  return {
    ...(o.sets !== undefined ? { target_sets: o.sets } : {}),
    ...(o.reps ?? {}),
    ...(o.duration !== undefined ? { duration_seconds: o.duration } : {}),
    ...(o.weight !== undefined ? { weight_kg: o.weight } : {}),
    ...(o.rest !== undefined ? { rest_seconds: o.rest } : {}),
    ...(o.note !== undefined ? { note: o.note } : {}),
    ...(o.group !== undefined ? { group_label: o.group } : {}),
    ...(o.kind !== undefined ? { group_kind: o.kind } : {}),
    ...(o.ungroup ? { group_label: null } : {}),
  };
}

function printWorkout(w: Workout): void {
  process.stdout.write(`${w.name} (${w.workout_id})${w.finished_at ? ' finished' : ''}\n`);
  printTable(
    w.exercises.flatMap((e) =>
      e.sets.map((s) => ({
        exercise: e.exercise_name + (e.skipped ? ' (skipped)' : ''),
        set: s.set_number,
        reps: s.reps,
        kg: s.weight_kg,
        seconds: s.duration_seconds,
        done: s.done ? 'yes' : '',
        set_id: s.set_id + (w.current?.set_id === s.set_id ? ' <- next' : ''),
      })),
    ),
    ['exercise', 'set', 'reps', 'kg', 'seconds', 'done', 'set_id'],
  );
}

/** Routine entries, workouts and history. */
export function registerTrainingCommands(program: Command, env: CliEnv): void {
  const entry = program.command('entries').description("a routine's entries: targets, supersets, one copy at a time");
  entry
    .command('list')
    .argument('<routine>')
    .action(async (routine: string) =>
      env.withContext(async (ctx) => {
        const rows = await entries.listRoutineEntries(ctx, routine);
        if (env.json()) return printJson(rows);
        printTable(
          rows.map((e) => ({ ...e, reps: e.reps_min === null ? null : e.reps_min === e.reps_max ? e.reps_min : `${e.reps_min}-${e.reps_max}` })),
          ['position', 'entry_id', 'exercise_id', 'target_sets', 'reps', 'duration_seconds', 'weight_kg', 'rest_seconds', 'group_label'],
        );
      }),
    );
  targetOptions(entry.command('add').argument('<routine>').requiredOption('--exercise <id>').option('--at <position>', 'where', number('at'))).action(
    async (routine: string, o: TargetOptions & { exercise: string; at?: number }) =>
      env.withContext(async (ctx) => {
        const added = await entries.addRoutineEntry(ctx, routine, { exercise_id: o.exercise, ...targets(o), ...(o.at !== undefined ? { position: o.at } : {}) });
        if (env.json()) printJson(added);
        else process.stdout.write(`${added.entry_id}\n`);
      }),
  );
  targetOptions(entry.command('update').argument('<routine>').argument('<entry>').option('--exercise <id>')).action(
    async (routine: string, id: string, o: TargetOptions & { exercise?: string }) =>
      env.withContext(async (ctx) => {
        const updated = await entries.updateRoutineEntry(ctx, routine, id, { ...targets(o), ...(o.exercise ? { exercise_id: o.exercise } : {}) });
        if (env.json()) printJson(updated);
        else process.stdout.write('updated\n');
      }),
  );
  entry
    .command('remove')
    .argument('<routine>')
    .argument('<entry>')
    .action(async (routine: string, id: string) =>
      env.withContext(async (ctx) => {
        await entries.deleteRoutineEntry(ctx, routine, id);
        if (env.json()) printJson({ deleted: id });
        else process.stdout.write('removed\n');
      }),
    );
  entry
    .command('order')
    .argument('<routine>')
    .argument('<entries>', 'every entry id, comma-separated, in the new order', list)
    .action(async (routine: string, ids: string[]) =>
      env.withContext(async (ctx) => {
        const rows = await entries.reorderRoutineEntries(ctx, routine, ids);
        if (env.json()) printJson(rows);
        else process.stdout.write(`reordered ${rows.length} entries\n`);
      }),
    );

  const workout = program.command('workouts').description('run a workout set by set; list, show, finish');
  workout
    .command('start')
    .option('--routine <id>', 'copy the routine, prefilled from the last time')
    .option('--name <name>')
    .action(async (o: { routine?: string; name?: string }) =>
      env.withContext(async (ctx) => {
        const w = await workouts.startWorkout(ctx, { ...(o.routine ? { routine_id: o.routine } : {}), ...(o.name ? { name: o.name } : {}) });
        if (env.json()) printJson(w);
        else printWorkout(w);
      }),
    );
  workout
    .command('show')
    .argument('<id>')
    .action(async (id: string) =>
      env.withContext(async (ctx) => {
        const w = await workouts.getWorkout(ctx, id);
        if (env.json()) printJson(w);
        else printWorkout(w);
      }),
    );
  workout
    .command('list')
    .option('-n, --limit <n>', 'rows', number('limit'), 50)
    .action(async (o: { limit: number }) =>
      env.withContext(async (ctx) => {
        const rows = await workouts.listWorkouts(ctx, o.limit, 0);
        if (env.json()) printJson(rows);
        else printTable(rows, ['workout_id', 'name', 'started_at', 'finished_at', 'sets_done', 'volume_kg']);
      }),
    );
  workout
    .command('log')
    .description('write a set (done unless --undone); --new <workout_exercise_id> adds one')
    .argument('<id>')
    .argument('[set]', 'the set id; the next open set when absent')
    .option('--new <workout_exercise_id>', 'add a set to this exercise of the workout')
    .option('--reps <n>', 'reps', number('reps'))
    .option('--weight <kg>', 'kg', number('weight'))
    .option('--duration <seconds>', 'seconds', number('duration'))
    .option('--rpe <n>', 'effort 1-10', number('rpe'))
    .option('--undone', 'log it as not done')
    .action(
      async (
        id: string,
        setId: string | undefined,
        o: { new?: string; reps?: number; weight?: number; duration?: number; rpe?: number; undone?: boolean },
      ) =>
        env.withContext(async (ctx) => {
          const before = await workouts.getWorkout(ctx, id);
          const target = o.new ? randomUUID() : (setId ?? before.current?.set_id);
          if (!target) throw new InvalidArgumentError('no open set: give a set id or --new <workout_exercise_id>');
          const old = before.exercises.flatMap((e) => e.sets).find((s) => s.set_id === target);
          const w = await workouts.logSet(ctx, id, target, {
            ...(o.new ? { workout_exercise_id: o.new } : {}),
            reps: o.reps ?? old?.reps ?? null,
            weight_kg: o.weight ?? old?.weight_kg ?? null,
            duration_seconds: o.duration ?? old?.duration_seconds ?? null,
            rpe: o.rpe ?? old?.rpe ?? null,
            done: !o.undone,
          });
          if (env.json()) printJson(w);
          else printWorkout(w);
        }),
    );
  workout
    .command('finish')
    .argument('<id>')
    .action(async (id: string) =>
      env.withContext(async (ctx) => {
        const summary = await workouts.finishWorkout(ctx, id);
        if (env.json()) return printJson(summary);
        process.stdout.write(
          `${summary.sets_done} sets, ${summary.volume_kg} kg volume, ${Math.round(summary.duration_seconds / 60)} min` +
            `${summary.new_bests.length ? `; new bests: ${summary.new_bests.map((b) => b.exercise_name).join(', ')}` : ''}\n`,
        );
      }),
    );
  workout
    .command('export-csv')
    .description("every done set as the CSV Strong exports")
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .action(async (o: { out?: string }) =>
      env.withContext(async (ctx) => {
        const csv = await workouts.exportStrongCsv(ctx);
        if (o.out) await fs.writeFile(o.out, csv);
        else process.stdout.write(csv);
      }),
    );
  program
    .command('history')
    .description('an exercise: every done set, bests, Epley 1RM, records (no id: the exercises done)')
    .argument('[exercise]')
    .action(async (exercise: string | undefined) =>
      env.withContext(async (ctx) => {
        if (!exercise) {
          const rows = await workouts.exercisesDone(ctx);
          if (env.json()) return printJson(rows);
          return printTable(rows, ['exercise_id', 'exercise_name', 'workouts', 'last_done', 'best_weight_kg']);
        }
        const h = await workouts.exerciseHistory(ctx, exercise);
        if (env.json()) return printJson(h);
        process.stdout.write(`${h.exercise_name}: best ${h.best_weight_kg ?? '-'} kg, estimated 1RM (Epley) ${h.best_e1rm_kg ?? '-'} kg\n`);
        printTable(h.sets, ['started_at', 'set_number', 'reps', 'weight_kg', 'e1rm_kg', 'rpe']);
      }),
    );
}
