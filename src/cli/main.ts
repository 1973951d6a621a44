#!/usr/bin/env node
/**
 * The command line: one program, one subcommand per operation (src/cli/commands/, one file per
 * group). Commands build the same context as the server and call the same services; `--json`
 * prints machine-readable output and exit codes follow output.ts.
 */
import { Command, CommanderError, Option } from 'commander';
import { AppError, errorMessage } from '../errors.js';
import { logger } from '../logger.js';
import { VERSION } from '../version.js';
import { registerBackupCommands, registerServerCommands } from './commands/admin.js';
import { registerJobCommands } from './commands/jobs.js';
import { registerExerciseCommands, registerImportCommand } from './commands/library.js';
import { registerProcessCommand } from './commands/process.js';
import { registerRoutineCommands } from './commands/routines.js';
import { registerTrainingCommands } from './commands/training.js';
import { registerSearchCommands } from './commands/search.js';
import { createCliEnv } from './env.js';
import { EXIT, exitCodeFor } from './output.js';
import { registerVectorCommands } from './commands/vectors.js';

// A promise nobody awaited, or a throw outside any command, leaves the process in an unknown
// state: say so and stop with a failure code rather than run on or exit 0.
for (const event of ['unhandledRejection', 'uncaughtException'] as const) {
  process.on(event, (error: unknown) => {
    logger.fatal({ err: error }, event);
    process.stderr.write(`error: ${errorMessage(error)}\n`);
    process.exit(EXIT.error);
  });
}

const program = new Command()
  .name('fitness-builder')
  .description('Turn fitness videos into a searchable library of exercise clips and workout routines.')
  .version(VERSION)
  .showHelpAfterError()
  // Usage errors come back as CommanderError (inherited by every subcommand registered below),
  // so they get the exit code of invalid input rather than commander's own 1.
  .exitOverride()
  .addOption(new Option('--json', 'print machine-readable JSON').default(false));

const env = createCliEnv(program);
// Registration order is the order of `--help`.
registerServerCommands(program, env);
registerImportCommand(program, env);
registerSearchCommands(program, env);
registerProcessCommand(program, env);
registerExerciseCommands(program, env);
registerRoutineCommands(program, env);
registerTrainingCommands(program, env);
registerJobCommands(program, env);
registerBackupCommands(program, env);
registerVectorCommands(program, env);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Commander has already printed the usage message (or the help or version asked for).
    process.exitCode = exitCodeFor(error);
    return;
  }
  if (env.json()) process.stdout.write(`${JSON.stringify({ error: errorMessage(error) })}\n`);
  else process.stderr.write(`error: ${errorMessage(error)}\n`);
  const code = exitCodeFor(error);
  if (code === EXIT.error) logger.debug({ err: error, code: error instanceof AppError ? error.code : undefined }, 'command failed');
  process.exitCode = code;
});
