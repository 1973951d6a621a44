import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/services/context.js';
import { openTestDb, type Backend } from './db.js';

/**
 * A full application context over a test database (PGlite in memory, or a fresh schema on the
 * server) with DATA_DIR in a temp folder. `env` overrides settings as the environment would.
 */
export interface TestContext {
  ctx: AppContext;
  config: Config;
  dataDir: string;
  close(): Promise<void>;
}

export async function createTestContext(backend: Backend, env: Record<string, string> = {}): Promise<TestContext> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-ctx-'));
  const config = loadConfig({ DATA_DIR: dataDir, ALLOW_PRIVATE_URLS: 'true', RUN_WORKER: 'false', ...env });
  // DATABASE_POOL_SIZE given here sizes the server pool (concurrency tests); otherwise the helper's small default.
  const t = await openTestDb(backend, env.DATABASE_POOL_SIZE ? { poolSize: config.databasePoolSize } : {});
  let ctx: AppContext;
  try {
    ctx = await createContext(config, { db: t.db });
  } catch (error) {
    await t.close();
    throw error;
  }
  return {
    ctx,
    config,
    dataDir,
    async close() {
      await ctx.worker?.stop(0);
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
