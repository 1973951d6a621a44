import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteExerciseIn, getExerciseById, ownClipPaths, storeExercise } from '../../src/database/index.js';
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
    const id = randomUUID();
    fs.writeFileSync(path.join(clipsDir, `${id}.mp4`), 'clip');
    fs.writeFileSync(path.join(clipsDir, `${id}.jpg`), 'thumb');
    const ex = await storeExercise(t.ctx.db, { ...base, id, ...ownClipPaths(id) });
    await deleteExercise(t.ctx, ex.id);
    expect(await getExerciseById(t.ctx.db, ex.id)).toBeNull();
    expect(fs.readdirSync(clipsDir)).toEqual([]);
  });

  it('keeps the row and its files when the delete transaction fails', async () => {
    const id = randomUUID();
    fs.writeFileSync(path.join(clipsDir, `${id}.mp4`), 'clip');
    const ex = await storeExercise(t.ctx.db, { ...base, id, video_path: ownClipPaths(id).video_path });
    await expect(
      inTransactionRemovingClips(t.ctx.db, clipsDir, async (tx, stage) => {
        await stage([await deleteExerciseIn(tx, ex.id)]);
        expect(fs.readdirSync(clipsDir)).not.toContain(`${id}.mp4`);
        throw new Error('vector index down');
      }),
    ).rejects.toThrow('vector index down');
    expect(await getExerciseById(t.ctx.db, ex.id)).not.toBeNull();
    expect(fs.readdirSync(clipsDir)).toEqual([`${id}.mp4`]);
  });
});
