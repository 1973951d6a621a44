import { randomBytes } from 'node:crypto';
import { openPglite, openPostgres, type Db } from '../../src/database/db.js';
import { runMigrations } from '../../src/database/migrate.js';

/**
 * Every store test runs on both databases: embedded PGlite (in memory) and the PostgreSQL
 * server at TEST_DATABASE_URL, each test file in a schema of its own so runs never collide.
 */
export const BACKENDS = ['pglite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDb {
  db: Db;
  /** The schema holding this run's tables on the server (undefined on PGlite). */
  schema: string | undefined;
  close(): Promise<void>;
}

export async function createTestSchema(): Promise<string> {
  const schema = `fb_test_${randomBytes(6).toString('hex')}`;
  const admin = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 1 });
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.close();
  }
  return schema;
}

export async function dropTestSchema(schema: string): Promise<void> {
  const admin = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 1 });
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.close();
  }
}

export async function openTestDb(backend: Backend, options: { migrate?: boolean; poolSize?: number } = {}): Promise<TestDb> {
  let db: Db;
  let schema: string | undefined;
  if (backend === 'pglite') {
    db = await openPglite({ dataDir: undefined });
  } else {
    schema = await createTestSchema();
    db = await openPostgres({ url: TEST_DATABASE_URL, poolSize: options.poolSize ?? 4, searchPath: schema });
  }
  if (options.migrate !== false) await runMigrations(db);
  return {
    db,
    schema,
    async close() {
      await db.close();
      if (schema) await dropTestSchema(schema);
    },
  };
}

/** Removes all rows between tests without paying for a new database. */
export async function truncateAll(db: Db): Promise<void> {
  await db.query('TRUNCATE exercises, workout_routines, routine_exercises, embedding_cache, jobs CASCADE');
}
