import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db } from '../../src/database/db.js';
import { openPglite } from '../../src/database/pglite.js';
import { UnavailableError } from '../../src/errors.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** What crosses the thread as a parameter and comes back as a column, unchanged. */
const ROUND_TRIPS: { name: string; sql: string; param: unknown; expected: unknown }[] = [
  { name: 'timestamptz from a Date', sql: '$1::timestamptz', param: new Date('2026-11-30T12:34:56.789Z'), expected: new Date('2026-11-30T12:34:56.789Z') },
  { name: 'bytea from a Buffer', sql: '$1::bytea', param: Buffer.from([0, 1, 127, 128, 255]), expected: new Uint8Array([0, 1, 127, 128, 255]) },
  { name: 'bytea from a Uint8Array', sql: '$1::bytea', param: new Uint8Array([9, 8, 7]), expected: new Uint8Array([9, 8, 7]) },
  { name: 'int8 beyond 2^53 as bigint', sql: '$1::int8', param: 9_007_199_254_740_993n, expected: 9_007_199_254_740_993n },
  { name: 'int8 in range as number', sql: '$1::int8', param: 42, expected: 42 },
  { name: 'text[] with a comma and a null', sql: '$1::text[]', param: ['a', 'b,c', null, 'd"e'], expected: ['a', 'b,c', null, 'd"e'] },
  { name: 'uuid[]', sql: '$1::uuid[]', param: ['6f1c2a56-4a5e-4a59-9e4b-3b1f0c2d9e11'], expected: ['6f1c2a56-4a5e-4a59-9e4b-3b1f0c2d9e11'] },
  { name: 'float8[]', sql: '$1::float8[]', param: [1.5, -2, 0.1], expected: [1.5, -2, 0.1] },
  { name: 'jsonb from an object', sql: '$1::jsonb', param: { steps: ['a', { b: 2 }], none: null, ok: true }, expected: { steps: ['a', { b: 2 }], none: null, ok: true } },
  { name: 'json array', sql: '$1::json', param: JSON.stringify([1, 'two']), expected: [1, 'two'] },
  { name: 'vector text', sql: '$1::vector::text', param: '[1,2.5,-3]', expected: '[1,2.5,-3]' },
  { name: 'real', sql: '$1::real', param: 0.75, expected: 0.75 },
  { name: 'numeric as text', sql: '$1::numeric::text', param: '1.50', expected: '1.50' },
  { name: 'boolean', sql: '$1::boolean', param: false, expected: false },
  { name: 'null', sql: '$1::text', param: null, expected: null },
  { name: 'unicode text', sql: '$1::text', param: 'Übung — 腿 🏋️', expected: 'Übung — 腿 🏋️' },
];

const tmpDirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-pglite-'));
  tmpDirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe.each(['in memory', 'in a folder'] as const)('embedded PGlite in its own thread, %s', (where) => {
  let db: Db;
  beforeAll(async () => {
    db = await openPglite({ dataDir: where === 'in memory' ? undefined : tmp() });
    await db.exec('CREATE EXTENSION IF NOT EXISTS vector; CREATE TABLE probe (id int PRIMARY KEY, v text)');
  });
  afterAll(async () => {
    await db?.close();
  });

  it.each(ROUND_TRIPS)('returns $name unchanged', async ({ sql, param, expected }) => {
    const [row] = await db.query<{ v: unknown }>(`SELECT ${sql} AS v`, [param]);
    expect(row!.v).toStrictEqual(expected);
  });

  it('keeps a PostgreSQL error code, constraint and message, and answers the next query', async () => {
    await db.query('INSERT INTO probe VALUES (1, $1)', ['a']);
    const error = await db.query('INSERT INTO probe VALUES (1, $1)', ['b']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23505', constraint: 'probe_pkey', message: 'duplicate key value violates unique constraint "probe_pkey"' });
    const syntax = await db.query('SELEC 1').catch((e: unknown) => e);
    expect(syntax).toMatchObject({ code: '42601' });
    expect(await db.query('SELECT v FROM probe WHERE id = 1')).toEqual([{ v: 'a' }]);
  });

  it('refuses a parameter that cannot cross the thread, and keeps working', async () => {
    await expect(db.query('SELECT $1::text AS v', [() => 1])).rejects.toThrow(/could not be cloned/);
    expect(await db.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
  });

  it('holds the session for a transaction: a query from outside waits until it commits', async () => {
    const order: string[] = [];
    const outsideSent = deferred();
    let outside: Promise<unknown> | undefined;
    const tx = db.transaction(async (t) => {
      await t.query('INSERT INTO probe VALUES (10, $1)', ['tx']);
      outside = db.query<{ n: number }>('SELECT count(*)::int AS n FROM probe WHERE id = 10').then((rows) => order.push(`outside saw ${rows[0]!.n}`));
      outsideSent.resolve();
      // Several round trips to the thread, each a chance for the outside query to cut in.
      for (let i = 0; i < 5; i++) await t.query('SELECT 1');
      order.push('transaction done');
    });
    await outsideSent.promise;
    await tx;
    await outside;
    expect(order).toEqual(['transaction done', 'outside saw 1']);
  });

  it('runs concurrent transactions one after the other, and a throw rolls back only its own', async () => {
    const order: string[] = [];
    const first = db.transaction(async (t) => {
      order.push('first begins');
      await t.query('INSERT INTO probe VALUES (20, $1)', ['first']);
      await t.query('SELECT 1');
      order.push('first ends');
    });
    const second = db.transaction(async (t) => {
      order.push('second begins');
      await t.query('INSERT INTO probe VALUES (21, $1)', ['second']);
      throw new Error('second fails');
    });
    await first;
    await expect(second).rejects.toThrow('second fails');
    expect(order.indexOf('second begins')).toBeGreaterThan(order.indexOf('first ends'));
    expect(await db.query('SELECT id FROM probe WHERE id IN (20, 21) ORDER BY id')).toEqual([{ id: 20 }]);
  });

  it('rolls back a transaction whose statement failed, with the statement error', async () => {
    const error = await db
      .transaction(async (t) => {
        await t.query('INSERT INTO probe VALUES (30, $1)', ['x']);
        await t.query('INSERT INTO probe VALUES (30, $1)', ['y']);
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '23505' });
    expect(await db.query('SELECT id FROM probe WHERE id = 30')).toEqual([]);
  });
});

describe('closing the embedded database', { timeout: 300_000 }, () => {
  it('lets the running transaction commit, closes cleanly, then refuses work', async () => {
    const dir = tmp();
    const db = await openPglite({ dataDir: dir });
    await db.exec('CREATE TABLE closing (n int)');
    const inside = deferred();
    const release = deferred();
    const tx = db.transaction(async (t) => {
      await t.query('INSERT INTO closing VALUES (1)');
      inside.resolve();
      await release.promise;
      await t.query('INSERT INTO closing VALUES (2)');
    });
    await inside.promise;
    const closed = db.close();
    await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(UnavailableError);
    release.resolve();
    await tx;
    await closed;
    expect(fs.existsSync(path.join(dir, 'fitness-builder.lock'))).toBe(false);

    const again = await openPglite({ dataDir: dir });
    try {
      expect(await again.query('SELECT n FROM closing ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }]);
    } finally {
      await again.close();
    }
  });
});

// Each of these opens a folder database two or three times, in processes of their own: slow on a busy machine.
describe('a process killed with -9 in the middle of writes', { timeout: 300_000 }, () => {
  it('leaves a folder that opens with every acknowledged commit', async () => {
    const dir = tmp();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/fixtures/write-until-killed.ts'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acknowledged = 0;
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        const last = d.toString().trim().split('\n').at(-1)!;
        acknowledged = Number(last.split(' ')[1]);
        if (acknowledged >= 20) resolve();
      }),
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const db = await openPglite({ dataDir: dir });
    try {
      const [row] = await db.query<{ n: number; bad: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE payload <> repeat('x', 4096) || n::text)::int AS bad FROM crash_probe`,
      );
      expect(row!.n).toBeGreaterThanOrEqual(acknowledged);
      expect(row!.bad).toBe(0);
    } finally {
      await db.close();
    }
  });
});

describe('the built worker (dist/), as `npm start` runs it', { timeout: 300_000 }, () => {
  it('opens an in-memory database from plain node, without tsx', () => {
    const built = path.join(ROOT, 'dist/database/pglite-worker.js');
    const newest = Math.max(...['pglite.ts', 'pglite-worker.ts'].map((f) => fs.statSync(path.join(ROOT, 'src/database', f)).mtimeMs));
    expect(fs.existsSync(built) && fs.statSync(built).mtimeMs >= newest, 'dist/ is older than src/: run npm run build').toBe(true);
    const script = path.join(tmp(), 'open.mjs');
    fs.writeFileSync(
      script,
      `const { openPglite } = await import(${JSON.stringify(path.join(ROOT, 'dist/database/pglite.js'))});
      const db = await openPglite({ dataDir: undefined });
      await db.exec('CREATE EXTENSION vector');
      console.log(JSON.stringify(await db.query("SELECT '[1,2]'::vector::text AS v")));
      await db.close();`,
    );
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 280_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([{ v: '[1,2]' }]);
  });
});
