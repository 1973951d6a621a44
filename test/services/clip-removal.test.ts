import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteExerciseIn, getExerciseById, storeExercise } from '../../src/database/index.js';
import { inTransactionRemovingClips } from '../../src/services/clip-removal.js';
import { deleteExercise } from '../../src/services/library.js';
import { BACKENDS } from '../helpers/db.js';
import { createTestContext, type TestContext } from '../helpers/context.js';

const base = { url: 'https://example.com/videos/workout.mp4', exercise_name: 'Goblet Squat' };

describe.each(BACKENDS)('removing an exercise with its files on %s', (backend) => {
  let t: TestContext;
  let clipsDir: string;
  beforeAll(async () => {
    t = await createTestContext(backend);
    clipsDir = t.config.clipsDir;
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    fs.rmSync(clipsDir, { recursive: true, force: true });
    fs.mkdirSync(clipsDir, { recursive: true });
    await t.ctx.db.query('TRUNCATE exercises CASCADE');
  });

  it('deletes the row, then its clip and thumbnail', async () => {
    fs.writeFileSync(path.join(clipsDir, 'abc.mp4'), 'clip');
    fs.writeFileSync(path.join(clipsDir, 'abc.jpg'), 'thumb');
    const ex = await storeExercise(t.ctx.db, { ...base, video_path: 'storage/clips/abc.mp4', thumbnail_path: 'storage/clips/abc.jpg' });
    await deleteExercise(t.ctx, ex.id);
    expect(await getExerciseById(t.ctx.db, ex.id)).toBeNull();
    expect(fs.readdirSync(clipsDir)).toEqual([]);
  });

  it('keeps the row and its files when the delete transaction fails', async () => {
    fs.writeFileSync(path.join(clipsDir, 'keep.mp4'), 'clip');
    const ex = await storeExercise(t.ctx.db, { ...base, video_path: 'storage/clips/keep.mp4' });
    await expect(
      inTransactionRemovingClips(t.ctx.db, clipsDir, async (tx, stage) => {
        await stage([await deleteExerciseIn(tx, ex.id)]);
        expect(fs.readdirSync(clipsDir)).not.toContain('keep.mp4');
        throw new Error('vector index down');
      }),
    ).rejects.toThrow('vector index down');
    expect(await getExerciseById(t.ctx.db, ex.id)).not.toBeNull();
    expect(fs.readdirSync(clipsDir)).toEqual(['keep.mp4']);
  });
});
