import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownClipPaths } from '../../src/database/index.js';
import { ValidationError } from '../../src/errors.js';
import { createBackup, restoreBackup } from '../../src/services/backup/index.js';
import { addExercises } from '../../src/services/library.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { BACKENDS, truncateAll } from '../helpers/db.js';

/** Crafted backups: rows pointing at other exercises' clips, and archives that expand without end. */

type Rec = Record<string, unknown> & { type?: string };
const readArchive = (file: string): Rec[] =>
  gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
const writeArchive = (file: string, records: readonly Rec[]) =>
  fs.writeFileSync(file, gzipSync(records.map((r) => JSON.stringify(r)).join('\n') + '\n'));

const A = randomUUID();
const B = randomUUID();
const MAX_MB = 2;

let work: string;
let source: TestContext;
let archive: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-crafted-'));
  source = await createTestContext('pglite');
  for (const id of [A, B]) {
    fs.writeFileSync(path.join(source.config.clipsDir, `${id}.mp4`), `clip ${id}`);
    fs.writeFileSync(path.join(source.config.clipsDir, `${id}.jpg`), `thumb ${id}`);
  }
  await addExercises(source.ctx, [
    { id: A, url: 'https://example.com/a.mp4', exercise_name: 'Goblet Squat', ...ownClipPaths(A) },
    { id: B, url: 'https://example.com/b.mp4', exercise_name: 'Overhead Press', ...ownClipPaths(B) },
  ]);
  archive = path.join(work, 'library.fbk.gz');
  await createBackup(source.ctx, archive);
});
afterAll(async () => {
  await source?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe.each(BACKENDS)('restoring a crafted backup on %s', (backend) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(backend, { RESTORE_MAX_MB: String(MAX_MB) });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function refused(records: Rec[], message: RegExp): Promise<void> {
    await truncateAll(t.ctx.db);
    fs.rmSync(t.config.clipsDir, { recursive: true, force: true });
    fs.mkdirSync(t.config.clipsDir);
    const file = path.join(work, `crafted-${randomUUID()}.fbk.gz`);
    writeArchive(file, records);
    const error = await restoreBackup(t.ctx, file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(message);
    expect(await t.ctx.db.query('SELECT id FROM exercises')).toEqual([]);
    // Not even a staging folder remains.
    expect(fs.readdirSync(t.config.clipsDir)).toEqual([]);
  }

  it.each(['video_path', 'thumbnail_path'] as const)("refuses a row whose %s names another exercise's file", async (field) => {
    const records = readArchive(archive);
    const b = records.find((r) => r.type === 'exercise' && (r.row as { id: string }).id === B)!.row as Record<string, unknown>;
    b[field] = ownClipPaths(A)[field];
    await refused(records, new RegExp(`exercise ${B}: ${field} must be storage/clips/${B}\\.`));
  });

  it('refuses a file whose declared size passes RESTORE_MAX_MB, before writing any of it', async () => {
    const records = readArchive(archive);
    const at = records.findIndex((r) => r.type === 'file' && r.name === `${A}.mp4`);
    const zeros = Buffer.alloc(512 * 1024).toString('base64');
    const size = 6 * 512 * 1024;
    const fake = { type: 'file', name: `${A}.mp4`, size, sha256: createHash('sha256').update(Buffer.alloc(size)).digest('hex') };
    // The real file's record and chunk become a bomb: a few KB compressed, 3 MB of zeros expanded.
    records.splice(at, 2, fake, ...Array.from({ length: 6 }, () => ({ type: 'chunk', data: zeros })));
    await refused(records, /file .*: the archive's files expand beyond RESTORE_MAX_MB \(2 MB\)/);
  });

  it('refuses an archive whose rows alone expand beyond RESTORE_MAX_MB', async () => {
    const records = readArchive(archive);
    const template = records.find((r) => r.type === 'exercise')!.row as Record<string, unknown>;
    const padding = Array.from({ length: 120 }, (_, i) => ({
      type: 'exercise',
      row: { ...template, id: randomUUID(), exercise_name: `Padding ${i}`, video_path: null, thumbnail_path: null, how_to: 'x'.repeat(19_000) },
    }));
    records.splice(1, 0, ...padding);
    await refused(records, /the archive expands beyond RESTORE_MAX_MB \(2 MB\)/);
  });

  it('restores the untouched archive, leaving no staging folder', async () => {
    await truncateAll(t.ctx.db);
    fs.rmSync(t.config.clipsDir, { recursive: true, force: true });
    fs.mkdirSync(t.config.clipsDir);
    expect(await restoreBackup(t.ctx, archive)).toMatchObject({ exercises: 2, files: 4 });
    expect(fs.readdirSync(t.config.clipsDir).sort()).toEqual([`${A}.jpg`, `${A}.mp4`, `${B}.jpg`, `${B}.mp4`].sort());
  });
});
