import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, runMigrations } from '../../src/database/migrate.js';
import { BACKENDS, openTestDb, type TestDb } from '../helpers/db.js';

describe.each(BACKENDS)('migrations on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend, { migrate: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('apply from empty, are recorded, and re-running applies nothing', async () => {
    const all = loadMigrations();
    expect(all.map((m) => m.version)).toEqual(all.map((_, i) => i + 1));
    const first = await runMigrations(t.db);
    expect(first.applied.map((m) => m.version)).toEqual(all.map((m) => m.version));
    const recorded = await t.db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(recorded.map((r) => r.version)).toEqual(all.map((m) => m.version));
    const second = await runMigrations(t.db);
    expect(second.applied).toEqual([]);
    const tables = await t.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
    );
    expect(tables.map((r) => r.table_name)).toEqual(expect.arrayContaining(['exercises', 'workout_routines', 'routine_exercises']));
  });

  it('refuses an applied migration whose file changed, and a database from a newer version', async () => {
    await runMigrations(t.db);
    const changed = loadMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
    await expect(runMigrations(t.db, changed)).rejects.toThrow(/changed after it was applied/);
    await expect(runMigrations(t.db, loadMigrations().slice(0, 1))).rejects.toThrow(/written by a newer version/);
  });

  it('rolls back every pending migration when one fails', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-mig-'));
    const existing = loadMigrations();
    const next = existing.length + 1;
    const pad = (n: number) => String(n).padStart(4, '0');
    fs.writeFileSync(path.join(dir, `${pad(next)}_ok.sql`), 'CREATE TABLE mig_probe (id int);');
    fs.writeFileSync(path.join(dir, `${pad(next + 1)}_broken.sql`), 'CREATE TABLE broken (;');
    const extra = loadMigrations(dir);
    await expect(runMigrations(t.db, [...existing, ...extra])).rejects.toThrow();
    const probe = await t.db.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'mig_probe'`);
    expect(probe).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
