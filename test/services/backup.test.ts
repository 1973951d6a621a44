import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownClipPaths } from '../../src/database/index.js';
import { ConflictError, ValidationError } from '../../src/errors.js';
import { BACKUP_FORMAT, createBackup, restoreBackup, type RestoreSummary } from '../../src/services/backup/index.js';
import type { AppContext } from '../../src/services/context.js';
import { addExercises, createRoutine, getExercisesByIds, getRoutine, updateExercise } from '../../src/services/library.js';
import { reindex } from '../../src/services/vectors.js';
import { VERSION } from '../../src/version.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { truncateAll } from '../helpers/db.js';

type Rec = Record<string, unknown> & { type?: string };

/** Whole-archive helpers: fine for the few-MB archives of a test, never for the service. */
function readArchive(file: string): Rec[] {
  return gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
}
function writeArchive(file: string, records: readonly Rec[]): void {
  fs.writeFileSync(file, gzipSync(records.map((r) => JSON.stringify(r)).join('\n') + '\n'));
}

// Clip files are named after their exercise's id (ownClipPaths).
const SQUAT = '0d5f3c1a-7b2e-4f6a-9c8d-1e2f3a4b5c6d';
const PRESS = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const FILES: Record<string, Buffer> = {
  // Over two 512 KB chunks, so a file spans several chunk lines.
  [`${SQUAT}.mp4`]: randomBytes(1_300_000),
  [`${SQUAT}.jpg`]: randomBytes(3_000),
  [`${PRESS}.mp4`]: randomBytes(70_000),
  [`${PRESS}.jpg`]: randomBytes(2_000),
};

async function seedLibrary(ctx: AppContext): Promise<{ ids: string[]; routineId: string }> {
  for (const [name, data] of Object.entries(FILES)) fs.writeFileSync(path.join(ctx.config.clipsDir, name), data);
  const stored = await addExercises(ctx, [
    {
      url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      id: SQUAT,
      exercise_name: 'Goblet Squat',
      ...ownClipPaths(SQUAT),
      start_time: 1.2345,
      end_time: 9.5,
      how_to: 'Hold a kettlebell at your chest and squat.',
      benefits: 'Builds quads.',
      fitness_level: 3,
      intensity: 6,
      rounds_reps: '3 x 10',
      category: 'Strength',
      primary_muscles: ['Quadriceps'],
      secondary_muscles: ['glutes'],
      equipment: 'kettlebells',
      force: 'push',
      mechanic: 'compound',
    },
    {
      url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      id: PRESS,
      exercise_name: 'Overhead Press',
      ...ownClipPaths(PRESS),
      start_time: 10,
      end_time: 20.25,
      counteracts: 'Rounded shoulders',
      fitness_level: 5,
      category: 'strength',
      primary_muscles: ['shoulders'],
      equipment: 'dumbbell',
    },
    {
      url: null,
      normalized_url: 'catalogue://free-exercise-db/plank',
      platform: 'catalogue',
      exercise_name: 'Plank',
      how_to: 'Hold a straight line from head to heels.',
      primary_muscles: ['abdominals'],
    },
  ]);
  // A later edit, so updated_at differs from created_at and must carry over as it is.
  await updateExercise(ctx, stored[1]!.id, { benefits: 'Strong shoulders' });
  const ids = stored.map((e) => e.id);
  const routine = await createRoutine(ctx, { name: 'Leg day', description: 'Squat last', exercise_ids: [ids[2]!, ids[1]!, ids[0]!] });
  return { ids, routineId: routine.routine_id };
}

/** What a restore cannot be allowed to lose, in a form both backends print alike. */
async function snapshot(ctx: AppContext, ids: string[], routineId: string) {
  const exercises = await getExercisesByIds(ctx, ids);
  const exact = await ctx.db.query(
    `SELECT id::text AS id, search_document::text AS doc,
            to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created,
            to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS updated
     FROM exercises ORDER BY id`,
  );
  const routine = await getRoutine(ctx, routineId);
  return { exercises, exact, routine };
}

function expectFilesIdentical(ctx: AppContext): void {
  for (const [name, data] of Object.entries(FILES)) {
    expect(fs.readFileSync(path.join(ctx.config.clipsDir, name)).equals(data), name).toBe(true);
  }
  // No hidden temp files left behind.
  expect(fs.readdirSync(ctx.config.clipsDir).sort()).toEqual(Object.keys(FILES).sort());
}

async function expectNothingWritten(ctx: AppContext): Promise<void> {
  const [row] = await ctx.db.query<{ e: number; r: number; re: number }>(
    `SELECT (SELECT count(*)::int FROM exercises) AS e, (SELECT count(*)::int FROM workout_routines) AS r,
            (SELECT count(*)::int FROM routine_exercises) AS re`,
  );
  expect(row).toEqual({ e: 0, r: 0, re: 0 });
  expect(fs.readdirSync(ctx.config.clipsDir)).toEqual([]);
}

describe('backup and restore', () => {
  let work: string;
  let source: TestContext;
  let seeded: { ids: string[]; routineId: string };
  let original: Awaited<ReturnType<typeof snapshot>>;
  let archive: string;
  let server: TestContext;
  let embedded: TestContext;
  /** The restore target, emptied: one database per backend keeps the file fast. */
  const empty = async (t: TestContext) => {
    await truncateAll(t.ctx.db);
    for (const name of fs.readdirSync(t.ctx.config.clipsDir)) fs.rmSync(path.join(t.ctx.config.clipsDir, name));
    return t.ctx;
  };

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-backup-'));
    source = await createTestContext('pglite');
    seeded = await seedLibrary(source.ctx);
    original = await snapshot(source.ctx, seeded.ids, seeded.routineId);
    archive = path.join(work, 'library.fbk.gz');
    server = await createTestContext('postgres-without-pgvector');
    embedded = await createTestContext('pglite');
  });
  afterAll(async () => {
    await server?.close();
    await embedded?.close();
    await source?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('writes a gzip JSON Lines archive with a header, every stored column and an end trailer', async () => {
    const progress: [number, number][] = [];
    const summary = await createBackup(source.ctx, archive, { onProgress: (d, t) => progress.push([d, t]) });
    expect(summary).toMatchObject({ exercises: 3, routines: 1, embeddings: 3, files: 4 });
    expect(summary.bytes).toBe(fs.statSync(archive).size);
    expect(fs.existsSync(`${archive}.partial`)).toBe(false);
    expect(progress.at(-1)).toEqual([4, 4]);

    const records = readArchive(archive);
    expect(records[0]).toMatchObject({
      format: BACKUP_FORMAT,
      version: 1,
      app_version: VERSION,
      embedding: { model: source.ctx.embedder.model, dimensions: source.ctx.embedder.dimensions },
    });
    expect(records.at(-1)).toEqual({ type: 'end', counts: { exercises: 3, routines: 1, embeddings: 3, files: 4 } });
    // A column added to the table later must be added to the archive too.
    const columns = await source.ctx.db.query<{ c: string }>(
      `SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'exercises' AND table_schema = current_schema()`,
    );
    const expected = columns.map((r) => r.c).filter((c) => c !== 'duration' && c !== 'search_document');
    const exerciseRecord = records.find((r) => r.type === 'exercise')!;
    expect(Object.keys(exerciseRecord.row as object).sort()).toEqual(expected.sort());
    const chunks = records.filter((r) => r.type === 'chunk');
    expect(chunks.length).toBeGreaterThanOrEqual(6);
    expect(records.filter((r) => r.type === 'routine')).toEqual([
      { type: 'routine', row: expect.objectContaining({ exercise_ids: [seeded.ids[2], seeded.ids[1], seeded.ids[0]] }) },
    ]);
  });

  it('restores an embedded library on a server without pgvector, losing nothing; a second restore adds nothing', async () => {
    const ctx = await empty(server);
    expect(ctx.index.status().available).toBe(false);
    const progress: [number, number][] = [];
    const summary = await restoreBackup(ctx, archive, { onProgress: (d, t) => progress.push([d, t]) });
    expect(summary).toEqual<RestoreSummary>({ exercises: 3, routines: 1, embeddings: 0, files: 4, skipped: 0, needsReindex: 3 });
    expect(progress.at(-1)).toEqual([fs.statSync(archive).size, fs.statSync(archive).size]);
    expect(await snapshot(ctx, seeded.ids, seeded.routineId)).toEqual(original);
    expectFilesIdentical(ctx);

    const again = await restoreBackup(ctx, archive);
    expect(again).toEqual<RestoreSummary>({ exercises: 0, routines: 0, embeddings: 0, files: 0, skipped: 4, needsReindex: 0 });
    expect(await snapshot(ctx, seeded.ids, seeded.routineId)).toEqual(original);
    expectFilesIdentical(ctx);

    // And back: the server's archive has no vectors, so the embedded library reindexes them.
    const serverArchive = path.join(work, 'from-server.fbk.gz');
    const fromServer = await createBackup(ctx, serverArchive);
    expect(fromServer).toMatchObject({ exercises: 3, routines: 1, embeddings: 0, files: 4 });
    expect(readArchive(serverArchive)[0]).toMatchObject({ embedding: null });
    const back = await empty(embedded);
    const restored = await restoreBackup(back, serverArchive);
    expect(restored).toEqual<RestoreSummary>({ exercises: 3, routines: 1, embeddings: 0, files: 4, skipped: 0, needsReindex: 3 });
    expect(await snapshot(back, seeded.ids, seeded.routineId)).toEqual(original);
    expectFilesIdentical(back);
    expect(await reindex(back)).toMatchObject({ embedded: 3 });
  });

  it('restores the vectors when the archive was made with the same embedding model', async () => {
    const ctx = await empty(embedded);
    const summary = await restoreBackup(ctx, archive);
    expect(summary).toEqual<RestoreSummary>({ exercises: 3, routines: 1, embeddings: 3, files: 4, skipped: 0, needsReindex: 0 });
    expect(await ctx.index.vectors(seeded.ids)).toEqual(await source.ctx.index.vectors(seeded.ids));
    expect(await snapshot(ctx, seeded.ids, seeded.routineId)).toEqual(original);
  });

  it('skips vectors of another model and counts the exercises that need a reindex', async () => {
    const records = readArchive(archive);
    records[0] = { ...records[0], embedding: { model: 'someone-else/model', dimensions: 384 } };
    const other = path.join(work, 'other-model.fbk.gz');
    writeArchive(other, records);
    const ctx = await empty(embedded);
    expect(await restoreBackup(ctx, other)).toMatchObject({ exercises: 3, embeddings: 0, needsReindex: 3 });
    expect((await ctx.index.vectors(seeded.ids)).size).toBe(0);
  });

  it('maps routine entries to exercises already stored under another id with the same source', async () => {
    const ctx = await empty(embedded);
    const [existing] = await addExercises(ctx, [{ url: null, normalized_url: 'catalogue://free-exercise-db/plank', platform: 'catalogue', exercise_name: 'plank' }]);
    const summary = await restoreBackup(ctx, archive);
    expect(summary).toMatchObject({ exercises: 2, routines: 1, skipped: 1, needsReindex: 0, embeddings: 2 });
    expect((await getRoutine(ctx, seeded.routineId)).exercise_ids).toEqual([existing!.id, seeded.ids[1], seeded.ids[0]]);
  });

  describe('refuses a damaged archive and writes nothing', () => {
    const refused = async (records: Rec[] | Buffer, message: RegExp) => {
      const file = path.join(work, `bad-${randomBytes(4).toString('hex')}.fbk.gz`);
      if (Buffer.isBuffer(records)) fs.writeFileSync(file, records);
      else writeArchive(file, records);
      const ctx = await empty(embedded);
      const error = await restoreBackup(ctx, file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe('file');
      expect((error as Error).message).toMatch(message);
      await expectNothingWritten(ctx);
      return ctx;
    };

    it('a gzip stream cut short', async () => {
      const bytes = fs.readFileSync(archive);
      await refused(bytes.subarray(0, Math.floor(bytes.length * 0.8)), /truncated/);
    });

    it('whole lines cut off the end (no end record)', async () => {
      const records = readArchive(archive);
      await refused(records.slice(0, -2), /truncated \(no end record\)/);
    });

    it('an end record whose counts disagree', async () => {
      const records = readArchive(archive);
      records.splice(records.findIndex((r) => r.type === 'routine'), 1);
      await refused(records, /end record counts 1 routines, the archive holds 0/);
    });

    it('a tampered chunk (checksum mismatch)', async () => {
      const records = readArchive(archive);
      const chunk = records.findLast((r) => r.type === 'chunk')!;
      const data = Buffer.from(chunk.data as string, 'base64');
      data[0] = data[0]! ^ 0xff;
      chunk.data = data.toString('base64');
      await refused(records, /does not match its checksum/);
    });

    it('a file name that would escape the clips folder', async () => {
      const records = readArchive(archive);
      const file = records.find((r) => r.type === 'file')!;
      file.name = '../../etc/passwd';
      const ctx = await refused(records, /unsafe file name/);
      expect(fs.existsSync(path.resolve(ctx.config.clipsDir, '../../etc/passwd'))).toBe(false);
    });

    it('a record that breaks the row rules', async () => {
      const records = readArchive(archive);
      const exercise = records.find((r) => r.type === 'exercise')! as { row: Record<string, unknown> };
      exercise.row.fitness_level = 11;
      await refused(records, /fitness_level/);
    });

    it('something that is not a backup', async () => {
      await refused(Buffer.from('hello, not gzip'), /not a gzip file/);
      await refused([{ format: 'something-else', version: 1 }], /not a fitness-builder-backup archive/);
      await refused([{ ...readArchive(archive)[0], version: 2 }], /version 2 is not supported/);
    });
  });

  it('refuses to overwrite a clip file of the same name with other content', async () => {
    const ctx = await empty(embedded);
    fs.writeFileSync(path.join(ctx.config.clipsDir, `${PRESS}.mp4`), 'something else');
    await expect(restoreBackup(ctx, archive)).rejects.toBeInstanceOf(ConflictError);
    const [row] = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM exercises');
    expect(row!.n).toBe(0);
    expect(fs.readdirSync(ctx.config.clipsDir)).toEqual([`${PRESS}.mp4`]);
  });
});
