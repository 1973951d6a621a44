import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { createContext, type AppContext } from '../services/context.js';

/** What every command needs from the program: the configuration, a context, the --json flag. */
export interface CliEnv {
  config(): Config;
  /** Opens the context, runs `fn`, always closes. */
  withContext<T>(fn: (ctx: AppContext) => Promise<T>): Promise<T>;
  /** Whether the global --json flag was given. */
  json(): boolean;
}

export function createCliEnv(program: Command): CliEnv {
  return {
    config: () => loadConfig(),
    async withContext(fn) {
      const ctx = await createContext(loadConfig());
      try {
        return await fn(ctx);
      } finally {
        await ctx.close();
      }
    },
    json: () => program.opts().json as boolean,
  };
}
