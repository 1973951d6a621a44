#!/usr/bin/env node
/**
 * The command line: one program, one subcommand per operation. Commands build the same
 * context as the server and call the same services; `--json` prints machine-readable output and
 * exit codes follow output.ts.
 */
import { Command, Option } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { runMigrations, openDatabase } from '../database/index.js';
import { errorMessage } from '../errors.js';
import { logger } from '../logger.js';
import { createContext, type AppContext } from '../services/context.js';
import { VERSION } from '../version.js';
import { EXIT, exitCodeFor } from './output.js';
import { registerCommands } from './commands.js';
import { registerVectorCommands } from './vectors.js';

export interface CliEnv {
  config(): Config;
  /** Opens the context, runs `fn`, always closes. */
  withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T>;
}

const env: CliEnv = {
  config: () => loadConfig(),
  async withContext(fn) {
    const ctx = await createContext(loadConfig());
    try {
      return await fn(ctx);
    } finally {
      await ctx.close();
    }
  },
};

const program = new Command()
  .name('fitness-builder')
  .description('Turn fitness videos into a searchable library of exercise clips and workout routines.')
  .version(VERSION)
  .showHelpAfterError()
  .addOption(new Option('--json', 'print machine-readable JSON').default(false));

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    const db = await openDatabase(env.config());
    try {
      const result = await runMigrations(db);
      const json = program.opts().json as boolean;
      if (json) process.stdout.write(`${JSON.stringify({ applied: result.applied.map((m) => m.version), current: result.current })}\n`);
      else if (result.applied.length === 0) process.stdout.write(`Database is up to date (version ${result.current}).\n`);
      else for (const m of result.applied) process.stdout.write(`applied ${String(m.version).padStart(4, '0')}_${m.name}\n`);
    } finally {
      await db.close();
    }
  });

registerCommands(program, env);
registerVectorCommands(program, env);

program.parseAsync(process.argv).catch((error: unknown) => {
  const json = program.opts().json as boolean;
  if (json) process.stdout.write(`${JSON.stringify({ error: errorMessage(error) })}\n`);
  else process.stderr.write(`error: ${errorMessage(error)}\n`);
  const code = exitCodeFor(error);
  if (code === EXIT.error) logger.debug({ err: error }, 'command failed');
  process.exitCode = code;
});
