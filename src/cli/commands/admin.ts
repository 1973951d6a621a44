import type { Command } from 'commander';
import { startServer } from '../../api/index.js';
import { logger } from '../../logger.js';
import { createBackup, restoreBackup } from '../../services/backup/index.js';
import { startClipSweeper } from '../../services/clip-sweep.js';
import { createContext, migrateDatabase } from '../../services/context.js';
import { assertToolsRun } from '../../services/health.js';
import { startWorker } from '../../services/worker.js';
import type { CliEnv } from '../env.js';
import { createProgress, printJson } from '../output.js';
import { int } from '../parse.js';

/** Running the service (migrate, serve, worker) and moving the library (backup, restore). */

/** Waits for a signal, then runs `stop` once; a second signal exits at once. */
function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        logger.error({ err }, 'unclean shutdown');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}

export function registerServerCommands(program: Command, env: CliEnv): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const result = await migrateDatabase(env.config());
      if (env.json()) process.stdout.write(`${JSON.stringify({ applied: result.applied.map((m) => m.version), current: result.current })}\n`);
      else if (result.applied.length === 0) process.stdout.write(`Database is up to date (version ${result.current}).\n`);
      else for (const m of result.applied) process.stdout.write(`applied ${String(m.version).padStart(4, '0')}_${m.name}\n`);
    });

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
      await assertToolsRun(env.config());
      const ctx = await createContext(env.config());
      const sweeper = await startClipSweeper(ctx);
      const worker = startWorker(ctx, opts.concurrency ?? ctx.config.jobs.concurrency);
      ctx.relay.start();
      process.stderr.write(`worker ${worker.id} running (concurrency ${opts.concurrency ?? ctx.config.jobs.concurrency})\n`);
      onShutdown(async () => {
        sweeper.stop();
        await worker.stop();
        await ctx.close();
      });
    });
}

export function registerBackupCommands(program: Command, env: CliEnv): void {
  program
    .command('backup')
    .description('write a portable archive of exercises, routines, embeddings and clips')
    .argument('<file>')
    .action(async (file: string) =>
      env.withContext(async (ctx) => {
        const progress = createProgress('backup', env.json());
        const summary = await createBackup(ctx, file, { onProgress: (d, t) => progress.update(d, t) });
        progress.stop();
        if (env.json()) printJson(summary);
        else process.stdout.write(`wrote ${file}: ${summary.exercises} exercises, ${summary.routines} routines, ${summary.embeddings} embeddings, ${summary.files} files\n`);
      }),
    );

  program
    .command('restore')
    .description('load an archive written by `backup` (into the embedded database or a server)')
    .argument('<file>')
    .action(async (file: string) =>
      env.withContext(async (ctx) => {
        const progress = createProgress('restore', env.json());
        const summary = await restoreBackup(ctx, file, { onProgress: (d, t) => progress.update(d, t) });
        progress.stop();
        if (env.json()) printJson(summary);
        else process.stdout.write(`restored ${summary.exercises} exercises, ${summary.routines} routines, ${summary.embeddings} embeddings, ${summary.files} files (${summary.skipped} already present)\n`);
      }),
    );
}
