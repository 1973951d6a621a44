import { randomBytes } from 'node:crypto';
import { openPostgres, type Db } from '../../src/database/db.js';
import { openPglite } from '../../src/database/pglite.js';
import { runMigrations } from '../../src/database/migrate.js';

/**
 * Every store test runs on both databases: embedded PGlite (in memory) and the PostgreSQL
 * server at TEST_DATABASE_URL, each test file in a schema of its own so runs never collide.
 */
export const BACKENDS = ['pglite', 'postgres'] as const;
/**
 * `postgres-without-pgvector` is a server database where the extension cannot be created: a
 * database of its own, owned by a role that is not a superuser (pgvector is not a trusted
 * extension), so the "server without pgvector" path is tested whatever the server has installed.
 */
export type Backend = (typeof BACKENDS)[number] | 'postgres-without-pgvector';

const UNPRIVILEGED_ROLE = 'fb_test_no_superuser';

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

/** A DATABASE_URL whose sessions work in `schema`, with pgvector's `public` second (see global-setup). */
export function schemaDatabaseUrl(schema: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema},public`);
  return url.toString();
}

export async function dropTestSchema(schema: string): Promise<void> {
  const admin = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 1 });
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await admin.close();
  }
}

async function asAdmin<T>(work: (admin: Db) => Promise<T>): Promise<T> {
  const admin = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 1 });
  try {
    return await work(admin);
  } finally {
    await admin.close();
  }
}

/** A new database owned by a role that may not create the vector extension; dropped on close. */
async function createDatabaseWithoutPgvector(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `fb_test_nopgv_${randomBytes(6).toString('hex')}`;
  await asAdmin(async (admin) => {
    // Several test files may race to create the role: one wins, the others see it exists.
    await admin.query(`CREATE ROLE ${UNPRIVILEGED_ROLE} LOGIN NOSUPERUSER`).catch((error: { code?: string }) => {
      if (error.code !== '42710' && error.code !== '23505') throw error;
    });
    await admin.query(`CREATE DATABASE ${name} OWNER ${UNPRIVILEGED_ROLE}`);
  });
  const url = new URL(TEST_DATABASE_URL);
  url.username = UNPRIVILEGED_ROLE;
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => asAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export async function openTestDb(backend: Backend, options: { migrate?: boolean; poolSize?: number } = {}): Promise<TestDb> {
  let db: Db;
  let schema: string | undefined;
  let drop: () => Promise<void> = async () => {};
  if (backend === 'pglite') {
    db = await openPglite({ dataDir: undefined });
  } else if (backend === 'postgres-without-pgvector') {
    const created = await createDatabaseWithoutPgvector();
    drop = created.drop;
    db = await openPostgres({ url: created.url, poolSize: options.poolSize ?? 4 });
  } else {
    schema = await createTestSchema();
    const own = schema;
    drop = () => dropTestSchema(own);
    // `public` comes second: the vector extension lives there (test/global-setup.ts), shared by
    // every test schema, so no test file's schema owns it and dropping one never removes it.
    db = await openPostgres({ url: TEST_DATABASE_URL, poolSize: options.poolSize ?? 4, searchPath: `${schema},public` });
  }
  if (options.migrate !== false) await runMigrations(db);
  return {
    db,
    schema,
    async close() {
      await db.close();
      await drop();
    },
  };
}

/** Removes all rows between tests without paying for a new database. */
export async function truncateAll(db: Db): Promise<void> {
  await db.query('TRUNCATE exercises, workout_routines, routine_exercises, embedding_cache, jobs CASCADE');
}
