import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

/**
 * Versioned migrations: `migrations/NNNN_name.sql`, applied in order, all pending ones in one
 * transaction (a failure leaves the schema as it was), recorded with a checksum in `schema_migrations`. An applied file that changed
 * afterwards is refused rather than silently drifting.
 */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(dir, file), 'utf8');
      return {
        version: Number.parseInt(file.slice(0, 4), 10),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export interface MigrationResult {
  applied: Migration[];
  current: number;
}

// Two processes starting against one server must not both apply a migration.
const MIGRATION_LOCK_KEY = 7_341_902_116;

export async function runMigrations(db: Db, migrations = loadMigrations()): Promise<MigrationResult> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = await tx.query<{ version: number; checksum: string; name: string }>(
      'SELECT version, checksum, name FROM schema_migrations ORDER BY version',
    );
    const byVersion = new Map(done.map((r) => [r.version, r]));
    const known = new Set(migrations.map((m) => m.version));
    for (const row of done) {
      if (!known.has(row.version)) {
        throw new Error(
          `The database has migration ${row.version} (${row.name}) which this version of fitness-builder does not know: it was written by a newer version.`,
        );
      }
    }
    const applied: Migration[] = [];
    for (const migration of migrations) {
      const existing = byVersion.get(migration.version);
      if (existing) {
        if (existing.checksum !== migration.checksum) {
          throw new Error(
            `Migration ${migration.version}_${migration.name} was changed after it was applied (checksum mismatch). Add a new migration instead of editing an applied one.`,
          );
        }
        continue;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      applied.push(migration);
    }
    return { applied, current: migrations.at(-1)?.version ?? 0 };
  });
}
