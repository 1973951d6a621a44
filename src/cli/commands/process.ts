import type { Command } from 'commander';
import { ProcessingError } from '../../errors.js';
import { getJob, jobFailure, waitForJob } from '../../services/jobs.js';
import * as library from '../../services/library.js';
import { submitUrl, toClip } from '../../services/processing.js';
import { startWorker } from '../../services/worker.js';
import type { CliEnv } from '../env.js';
import { createProgress, printJson, printTable } from '../output.js';
import { int } from '../parse.js';

/** Turning a URL into clips: queue the job, and unless --background run a worker here and wait. */
export function registerProcessCommand(program: Command, env: CliEnv): void {
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
          if (env.json()) return printJson({ job_id: job.id, existing: true, exercises: existing });
          process.stdout.write(`already processed (use --force to redo): ${existing.length} exercises\n`);
          printTable(existing.map(toClip), ['exercise_id', 'exercise_name', 'total_duration', 'video_path']);
          return;
        }
        if (opts.background) {
          if (env.json()) return printJson({ job_id: job.id, status: job.status });
          process.stdout.write(`${job.id}\n`);
          return;
        }
        const worker = startWorker(ctx, 1);
        const progress = createProgress('process', env.json());
        try {
          await waitForJob(ctx, job.id, opts.timeout * 1000, (seen) => progress.update(seen.progress.percent, 100, seen.progress.step ?? seen.status));
        } finally {
          progress.stop();
          await worker.stop(0);
        }
        // Read after the worker stopped: an unfinished job has been handed back to the queue by then.
        const final = await getJob(ctx, job.id);
        if (final.status === 'failed') throw jobFailure(final);
        if (final.status !== 'done') throw new ProcessingError(`Still ${final.status} after ${opts.timeout} s; job ${job.id} stays queued`, { retryable: true });
        const exercises = await library.getExercisesByIds(ctx, (final.result?.exercise_ids as string[]) ?? []);
        if (env.json()) return printJson({ job_id: job.id, result: final.result, exercises });
        printTable(
          exercises.map((e) => ({ id: e.id, name: e.exercise_name, start: e.start_time, end: e.end_time, clip: e.video_path })),
          ['id', 'name', 'start', 'end', 'clip'],
        );
      });
    });
}
