import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryMirror } from '../../src/database/mirror.js';
import { readSnapshotRows } from '../../src/database/snapshot.js';
import { restoreExerciseRows } from '../../src/database/exercises.js';
import { createBackup, restoreBackup } from '../../src/services/backup/index.js';
import { importCatalogue } from '../../src/services/catalogue.js';
import {
  addExercises,
  deleteExercise,
  embedForStore,
  getExercise,
  getExercisesByIds,
  getExercisesByUrl,
  updateExercise,
  writeExercises,
} from '../../src/services/library.js';
import { NotFoundError } from '../../src/errors.js';
import { checkHealth } from '../../src/services/health.js';
import { reindex } from '../../src/services/vectors.js';
import { createTestContext, type TestContext } from '../helpers/context.js';

/**
 * The in-memory library on the embedded database: after every kind of write has settled, the
 * mirror equals what the database holds (rows, vectors, documents), and no read sees a row
 * before its transaction commits.
 */
const CATALOGUE = '/work/shared/data/free-exercise-db/exercises.json';

const row = (name: string, extra: Record<string, unknown> = {}) => ({
  url: `https://www.youtube.com/watch?v=${name.replace(/\W/g, '').slice(0, 11).padEnd(11, 'x')}`,
  exercise_name: name,
  category: 'strength',
  primary_muscles: ['quadriceps'],
  fitness_level: 4,
  ...extra,
});

describe('library mirror on PGlite', () => {
  let t: TestContext;
  let mirror: LibraryMirror;

  /** The mirror as a fresh read of the database would build it. */
  async function expectInStep(): Promise<void> {
    const snap = await mirror.read();
    expect(snap).not.toBeNull();
    expect(snap!.rows).toEqual(await readSnapshotRows(t.ctx.db));
  }

  beforeAll(async () => {
    t = await createTestContext('pglite');
    expect(t.ctx.mirror).not.toBeNull();
    mirror = t.ctx.mirror!;
  });
  afterAll(async () => t?.close());

  it('loads the library at start and follows creates, updates and deletes', async () => {
    await expectInStep();
    const before = (await mirror.read())!.version;
    const [a, b] = await addExercises(t.ctx, [row('Goblet squat'), row('Split squat', { carousel_index: 2 })]);
    // Told before the write's promise settled: the very next read already has both rows.
    expect((await getExercisesByIds(t.ctx, [b!.id, 'not-a-uuid', a!.id])).map((e) => e.id)).toEqual([b!.id, a!.id]);
    expect((await mirror.read())!.version).toBeGreaterThan(before);
    await expectInStep();

    const updated = await updateExercise(t.ctx, a!.id, { exercise_name: 'Goblet squat, paused', fitness_level: 6 });
    expect(await getExercise(t.ctx, a!.id)).toEqual(updated);
    await expectInStep();

    await deleteExercise(t.ctx, b!.id);
    await expect(getExercise(t.ctx, b!.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getExercise(t.ctx, 'nope')).rejects.toBeInstanceOf(NotFoundError);
    await expectInStep();
  });

  it('serves the by-URL read in the database order', async () => {
    const url = 'https://www.youtube.com/watch?v=mirrorurl01';
    await addExercises(t.ctx, [
      row('Third', { url, carousel_index: 3 }),
      row('First', { url, carousel_index: 1, start_time: 5 }),
      row('Zeroth', { url, carousel_index: 1 }),
    ]);
    const fromMemory = await getExercisesByUrl(t.ctx, 'https://youtu.be/mirrorurl01');
    expect(fromMemory.map((e) => e.exercise_name)).toEqual(['Zeroth', 'First', 'Third']);
    const { getExercisesByUrl: fromDatabase } = await import('../../src/database/exercises.js');
    expect(fromMemory).toEqual(await fromDatabase(t.ctx.db, 'https://youtu.be/mirrorurl01'));
  });

  it('follows a pipeline-like batch, plain SQL, a truncate and a rolled-back transaction', async () => {
    const batch = await embedForStore(t.ctx, [row('Batch one'), row('Batch two', { carousel_index: 2 })]);
    await t.ctx.db.transaction((tx) => writeExercises(t.ctx, tx, batch, 'skip'));
    await expectInStep();

    await t.ctx.db.query(`UPDATE exercises SET equipment = 'kettlebell' WHERE exercise_name = 'Batch one'`);
    expect((await getExercise(t.ctx, batch.inputs[0]!.id)).equipment).toBe('kettlebell');
    await expectInStep();

    const version = (await mirror.read())!.version;
    await expect(
      t.ctx.db.transaction(async (tx) => {
        await tx.query(`UPDATE exercises SET equipment = 'band'`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // Nothing was committed, so nothing was notified and nothing reloaded.
    expect((await mirror.read())!.version).toBe(version);
    await expectInStep();

    await t.ctx.db.exec('TRUNCATE exercises CASCADE');
    expect((await mirror.read())!.rows).toEqual([]);
    await expectInStep();
  });

  it('never shows a row before its commit', async () => {
    const batch = await embedForStore(t.ctx, [row('Not yet')]);
    const id = batch.inputs[0]!.id;
    await t.ctx.db.transaction(async (tx) => {
      await writeExercises(t.ctx, tx, batch, 'error');
      // The row exists inside this transaction only; readers outside it must not see it.
      await expect(getExercise(t.ctx, id)).rejects.toBeInstanceOf(NotFoundError);
      expect((await mirror.read([id]))!.get(id)).toBeUndefined();
    });
    expect((await getExercise(t.ctx, id)).exercise_name).toBe('Not yet');
    await expectInStep();
  });

  it('follows restore rows, a catalogue import and a reindex that drops the vector table', async () => {
    const [kept] = await addExercises(t.ctx, [row('Restored later')]);
    const exported = { ...kept!, id: '6f1c1c7e-8a0e-4f55-9a39-0d6c3c7b7a11', normalized_url: 'restore:one', url: null };
    await t.ctx.db.transaction((tx) => restoreExerciseRows(tx, [exported]));
    expect((await getExercise(t.ctx, exported.id)).normalized_url).toBe('restore:one');
    await expectInStep();

    const dir = fs.mkdtempSync(path.join(t.dataDir, 'cat-'));
    const file = path.join(dir, 'small.json');
    fs.writeFileSync(file, JSON.stringify((JSON.parse(fs.readFileSync(CATALOGUE, 'utf8')) as unknown[]).slice(0, 12)));
    const imported = await importCatalogue(t.ctx, file);
    expect(imported.inserted).toBe(12);
    await expectInStep();

    await t.ctx.index.reset();
    expect((await mirror.read())!.rows.every((r) => r.vector === null)).toBe(true);
    await expectInStep();
    await reindex(t.ctx);
    expect((await mirror.read())!.rows.every((r) => r.vector !== null)).toBe(true);
    await expectInStep();
  });

  it('follows a backup restored into another process-owned database', async () => {
    const archive = path.join(t.dataDir, 'library.fbbackup');
    await createBackup(t.ctx, archive);
    const other = await createTestContext('pglite');
    try {
      await restoreBackup(other.ctx, archive);
      const snap = await other.ctx.mirror!.read();
      expect(snap!.rows).toEqual(await readSnapshotRows(other.ctx.db));
      expect(snap!.size).toBe((await mirror.read())!.size);
    } finally {
      await other.close();
    }
  });

  it('answers /health while a transaction holds the one session', async () => {
    // A first answer to fall back on; then a write that stays open until /health has answered.
    expect((await checkHealth(t.ctx)).database.ok).toBe(true);
    const count = (await mirror.read())!.size;
    let answered: Awaited<ReturnType<typeof checkHealth>> | undefined;
    await t.ctx.db.transaction(async (tx) => {
      await tx.query(`UPDATE exercises SET rounds_reps = '3 x 8' WHERE false`);
      answered = await checkHealth(t.ctx);
    });
    expect(answered!.database).toEqual({ ok: true, exercises: count, error: null });
    expect(answered!.jobs.ok).toBe(true);
    expect(answered!.vector.ok).toBe(true);
  });

  it('shares one count between health checks that ask at once, and still reports a failure at once', async () => {
    await checkHealth(t.ctx);
    const query = t.ctx.db.query.bind(t.ctx.db);
    let jobCounts = 0;
    t.ctx.db.query = ((text: string, params?: readonly unknown[]) => {
      if (text.includes('FROM jobs GROUP BY status')) jobCounts++;
      return query(text, params);
    }) as typeof t.ctx.db.query;
    try {
      const reports = await Promise.all(Array.from({ length: 10 }, () => checkHealth(t.ctx)));
      expect(reports.every((r) => r.jobs.ok)).toBe(true);
      expect(jobCounts).toBe(1);
      // The session is free, so a check waits for its own answer: the failure, not the last success.
      await t.ctx.db.exec('ALTER TABLE jobs RENAME TO jobs_away');
      try {
        expect((await checkHealth(t.ctx)).jobs).toMatchObject({ ok: false, reason: expect.stringMatching(/^job queue unavailable/) });
      } finally {
        await t.ctx.db.exec('ALTER TABLE jobs_away RENAME TO jobs');
      }
      expect((await checkHealth(t.ctx)).jobs.ok).toBe(true);
    } finally {
      t.ctx.db.query = query;
    }
  });

  it('is off above the row cap, and reads then go to the database', async () => {
    const small = await createTestContext('pglite', { LIBRARY_MIRROR_MAX_ROWS: '1' });
    try {
      expect(small.ctx.mirror!.current()).not.toBeNull();
      const [a] = await addExercises(small.ctx, [row('One'), row('Two', { carousel_index: 2 })]);
      expect(await small.ctx.mirror!.read()).toBeNull();
      expect((await getExercise(small.ctx, a!.id)).exercise_name).toBe('One');
    } finally {
      await small.close();
    }
  });
});
