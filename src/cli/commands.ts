import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { createWorker, startServer } from '../api/index.js';
import type { ExerciseFilters } from '../database/types.js';
import { ProcessingError, ValidationError } from '../errors.js';
import { cancelJob, getJobStatus, listJobs, type Job } from '../jobs/index.js';
import { logger } from '../logger.js';
import { createBackup, restoreBackup } from '../services/backup.js';
import { importCatalogue } from '../services/catalogue.js';
import * as library from '../services/library.js';
import { submitUrl, toClip, waitForJob } from '../services/processing.js';
import type { CliEnv } from './main.js';
import { createProgress, printJson, printTable } from './output.js';

const int = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
  return n;
};
const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

/** Waits for a signal, then runs `stop` once; a second signal exits at once. */
function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => process.exit(0))
      .catch((err) => {
        logger.error({ err }, 'unclean shutdown');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}

export function registerCommands(program: Command, env: CliEnv): void {
  const json = () => program.opts().json as boolean;

  program
    .command('serve')
    .description('start the HTTP API (and, unless --no-worker or RUN_WORKER=false, a job worker)')
    .option('--no-worker', 'do not run a job worker in this process')
    .action(async (opts: { worker: boolean }) => {
      const config = env.config();
      const server = await startServer(config, { worker: opts.worker && config.jobs.runWorker });
      process.stderr.write(`Fitness Builder ${server.url} (docs at ${server.url}/docs)\n`);
      onShutdown(() => server.stop());
    });

  program
    .command('worker')
    .description('run a job worker without the HTTP API')
    .option('-c, --concurrency <n>', 'jobs at once', int('concurrency', 1, 64))
    .action(async (opts: { concurrency?: number }) => {
      const { createContext } = await import('../services/context.js');
      const ctx = await createContext(env.config());
      const worker = createWorker(ctx, opts.concurrency ?? ctx.config.jobs.concurrency);
      ctx.worker = worker;
      worker.start();
      ctx.relay.start();
      process.stderr.write(`worker ${worker.id} running (concurrency ${opts.concurrency ?? ctx.config.jobs.concurrency})\n`);
      onShutdown(async () => {
        await worker.stop();
        await ctx.close();
      });
    });

  program
    .command('import')
    .description('import an exercise catalogue in the free-exercise-db format (idempotent)')
    .argument('<file>', 'JSON file, e.g. ../shared/data/free-exercise-db/exercises.json')
    .option('--source <name>', 'catalogue name used in the exercises\' source key', 'free-exercise-db')
    .action(async (file: string, opts: { source: string }) => {
      await env.withContext(async (ctx) => {
        const progress = createProgress('import', json());
        const result = await importCatalogue(ctx, file, { source: opts.source, onProgress: (d, t) => progress.update(d, t) });
        progress.stop();
        if (json()) printJson(result);
        else process.stdout.write(`imported ${result.inserted} of ${result.total} exercises (${result.skipped} already present) in ${result.seconds} s\n`);
      });
    });

  program
    .command('search')
    .description('search the library in natural language')
    .argument('<query>')
    .option('-n, --limit <n>', 'results', int('limit', 1, 100), 10)
    .option('--diverse', 'five different movements rather than five variations of one')
    .option('--category <list>', 'comma-separated categories', list)
    .option('--muscles <list>', 'comma-separated muscles (primary or secondary)', list)
    .option('--equipment <list>', 'comma-separated equipment', list)
    .option('--min-level <n>', 'minimum fitness level 0-10', int('min-level', 0, 10))
    .option('--max-level <n>', 'maximum fitness level 0-10', int('max-level', 0, 10))
    .option('--max-intensity <n>', 'maximum intensity 0-10', int('max-intensity', 0, 10))
    .option('--threshold <score>', 'minimum score 0-1', (v) => Number(v))
    .action(async (query: string, o: Record<string, unknown>) => {
      const filters: ExerciseFilters = {};
      if (o.category) filters.category = o.category as string[];
      if (o.muscles) filters.muscles = o.muscles as string[];
      if (o.equipment) filters.equipment = o.equipment as string[];
      if (o.minLevel !== undefined || o.maxLevel !== undefined) filters.fitness_level = { min: o.minLevel as number, max: o.maxLevel as number };
      if (o.maxIntensity !== undefined) filters.intensity = { max: o.maxIntensity as number };
      await env.withContext(async (ctx) => {
        const found = await library.searchExercises(ctx, query, {
          limit: o.limit as number,
          filters,
          diverse: Boolean(o.diverse),
          scoreThreshold: o.threshold as number | undefined,
        });
        if (json()) return printJson(found);
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

  program
    .command('process')
    .description('turn a video URL into exercise clips (runs a worker here unless --background)')
    .argument('<url>')
    .option('--force', 're-process a URL that was already processed')
    .option('--background', 'only queue the job and print its id')
    .option('--timeout <seconds>', 'give up waiting after this long', int('timeout', 1, 86_400), 3600)
    .action(async (url: string, opts: { force?: boolean; background?: boolean; timeout: number }) => {
      await env.withContext(async (ctx) => {
        const { job, existing } = await submitUrl(ctx, { url, force: opts.force ?? false });
        if (existing) {
          if (json()) return printJson({ job_id: job.id, existing: true, exercises: existing });
          process.stdout.write(`already processed (use --force to redo): ${existing.length} exercises\n`);
          printTable(existing.map(toClip), ['exercise_id', 'exercise_name', 'total_duration', 'video_path']);
          return;
        }
        if (opts.background) {
          if (json()) return printJson({ job_id: job.id, status: job.status });
          process.stdout.write(`${job.id}\n`);
          return;
        }
        const worker = createWorker(ctx, 1);
        ctx.worker = worker;
        worker.start();
        const progress = createProgress('process', json());
        let last: Job | null = job;
        const deadline = Date.now() + opts.timeout * 1000;
        try {
          while (last && last.status !== 'done' && last.status !== 'failed' && Date.now() < deadline) {
            last = await waitForJob(ctx, job.id, 500);
            progress.update(last.progress.percent, 100, last.progress.step ?? last.status);
          }
        } finally {
          progress.stop();
          await worker.stop(0);
        }
        const final = (await getJobStatus(ctx.db, job.id))!;
        if (final.status === 'failed') throw new ProcessingError(`Processing failed: ${final.error}`);
        if (final.status !== 'done') throw new ProcessingError(`Still ${final.status} after ${opts.timeout} s; job ${job.id} stays queued`, { retryable: true });
        const exercises = await library.getExercisesByIds(ctx, (final.result?.exercise_ids as string[]) ?? []);
        if (json()) return printJson({ job_id: job.id, result: final.result, exercises });
        printTable(
          exercises.map((e) => ({ id: e.id, name: e.exercise_name, start: e.start_time, end: e.end_time, clip: e.video_path })),
          ['id', 'name', 'start', 'end', 'clip'],
        );
      });
    });

  const exercises = program.command('exercises').description('list, show and delete exercises');
  exercises
    .command('list')
    .option('-n, --limit <n>', 'rows', int('limit', 1, 1000), 50)
    .option('--offset <n>', 'skip rows', int('offset', 0, 1_000_000), 0)
    .option('--url <url>', 'only exercises from this source URL')
    .option('--name <text>', 'name contains')
    .action(async (o: { limit: number; offset: number; url?: string; name?: string }) => {
      await env.withContext(async (ctx) => {
        const rows = o.url
          ? await library.getExercisesByUrl(ctx, o.url)
          : (await library.listExercises(ctx, o.name ? { name: o.name } : {}, { limit: o.limit, offset: o.offset })).items;
        if (json()) return printJson(rows);
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
    .option('--level <n>', 'fitness level 0-10', int('level', 0, 10))
    .option('--intensity <n>', 'intensity 0-10', int('intensity', 0, 10))
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
        if (json()) printJson(updated);
        else process.stdout.write(`updated ${updated.exercise_name} (${updated.id})\n`);
      }),
    );
  exercises
    .command('delete')
    .argument('<id>')
    .action(async (id: string) =>
      env.withContext(async (ctx) => {
        const deleted = await library.deleteExercise(ctx, id);
        if (json()) printJson({ deleted: deleted.id });
        else process.stdout.write(`deleted ${deleted.exercise_name} (${deleted.id})\n`);
      }),
    );

  program
    .command('stats')
    .description('library counts and averages')
    .action(async () => env.withContext(async (ctx) => printJson(await library.getStats(ctx))));

  const routines = program.command('routines').description('list, show, create, export and delete routines');
  routines
    .command('list')
    .option('-n, --limit <n>', 'rows', int('limit', 1, 100), 50)
    .action(async (o: { limit: number }) =>
      env.withContext(async (ctx) => {
        const rows = await library.listRoutines(ctx, o.limit);
        if (json()) return printJson(rows);
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
        if (json()) return printJson({ ...routine, exercises: items });
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
        if (json()) printJson(routine);
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
        if (json()) printJson(routine);
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
        if (!json()) process.stdout.write('deleted\n');
        else printJson({ deleted: id });
      }),
    );

  const jobs = program.command('jobs').description('list, show and cancel background jobs');
  jobs
    .command('list')
    .option('--status <status>', 'pending, in_progress, done or failed')
    .option('-n, --limit <n>', 'rows', int('limit', 1, 500), 50)
    .action(async (o: { status?: Job['status']; limit: number }) =>
      env.withContext(async (ctx) => {
        const rows = await listJobs(ctx.db, { status: o.status, limit: o.limit });
        if (json()) return printJson(rows);
        printTable(
          rows.map((j) => ({ id: j.id, status: j.status, step: j.progress.step, percent: j.progress.percent, url: j.payload.url, error: j.error })),
          ['id', 'status', 'step', 'percent', 'url', 'error'],
        );
      }),
    );
  jobs
    .command('show')
    .argument('<id>')
    .action(async (id: string) =>
      env.withContext(async (ctx) => {
        const job = await getJobStatus(ctx.db, id);
        if (!job) throw new ValidationError('id', `no job ${id}`);
        printJson(job);
      }),
    );
  jobs
    .command('cancel')
    .argument('<id>')
    .action(async (id: string) => env.withContext(async (ctx) => printJson(await cancelJob(ctx.db, id))));

  program
    .command('backup')
    .description('write a portable archive of exercises, routines, embeddings and clips')
    .argument('<file>')
    .action(async (file: string) =>
      env.withContext(async (ctx) => {
        const progress = createProgress('backup', json());
        const summary = await createBackup(ctx, file, { onProgress: (d, t) => progress.update(d, t) });
        progress.stop();
        if (json()) printJson(summary);
        else process.stdout.write(`wrote ${file}: ${summary.exercises} exercises, ${summary.routines} routines, ${summary.embeddings} embeddings, ${summary.files} files\n`);
      }),
    );

  program
    .command('restore')
    .description('load an archive written by `backup` (into the embedded database or a server)')
    .argument('<file>')
    .action(async (file: string) =>
      env.withContext(async (ctx) => {
        const progress = createProgress('restore', json());
        const summary = await restoreBackup(ctx, file, { onProgress: (d, t) => progress.update(d, t) });
        progress.stop();
        if (json()) printJson(summary);
        else process.stdout.write(`restored ${summary.exercises} exercises, ${summary.routines} routines, ${summary.embeddings} embeddings, ${summary.files} files (${summary.skipped} already present)\n`);
      }),
    );
}
