import type { Command } from 'commander';
import { cancelJob, getJob, listJobs, type JobStatus } from '../../services/jobs.js';
import { JOBS_DEFAULT_LIMIT, JOBS_MAX_LIMIT } from '../../limits.js';
import type { CliEnv } from '../env.js';
import { printJson, printTable } from '../output.js';
import { int } from '../parse.js';

/** Background jobs: list, show (a missing job is "Job not found", exit 3, as the API's 404) and cancel. */
export function registerJobCommands(program: Command, env: CliEnv): void {
  const jobs = program.command('jobs').description('list, show and cancel background jobs');
  jobs
    .command('list')
    .option('--status <status>', 'pending, in_progress, done or failed')
    .option('-n, --limit <n>', 'rows', int('limit', 1, JOBS_MAX_LIMIT), JOBS_DEFAULT_LIMIT)
    .action(async (o: { status?: JobStatus; limit: number }) =>
      env.withContext(async (ctx) => {
        const rows = await listJobs(ctx, { status: o.status, limit: o.limit });
        if (env.json()) return printJson(rows);
        printTable(
          rows.map((j) => ({ id: j.id, status: j.status, step: j.progress.step, percent: j.progress.percent, url: j.payload.url, error: j.error })),
          ['id', 'status', 'step', 'percent', 'url', 'error'],
        );
      }),
    );
  jobs
    .command('show')
    .argument('<id>')
    .action(async (id: string) => env.withContext(async (ctx) => printJson(await getJob(ctx, id))));
  jobs
    .command('cancel')
    .argument('<id>')
    .action(async (id: string) => env.withContext(async (ctx) => printJson(await cancelJob(ctx, id))));
}
