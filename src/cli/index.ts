/**
 * The command line's parts: `main.ts` is the program (the `fitness-builder` binary), one file per
 * command group under commands/, the shared environment (env.ts) and output and exit codes
 * (output.ts). Commands call services only, exactly as the API does, so both answer alike.
 */
export { createCliEnv, type CliEnv } from './env.js';
export { EXIT, exitCodeFor, exitCodeForStatus } from './output.js';
