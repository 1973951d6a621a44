import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ownedClipFiles } from '../../database/clip-files.js';
import { line } from './archive.js';

/** The clip files of a backup: which a row owns, reading them as archive records, checksums. */

const CHUNK_BYTES = 512 * 1024;

/** The clip files a row owns, as plain names inside clipsDir (paths that are not its own are ignored). */
export function ownedFileNames(clipsDir: string, row: { id: string; video_path: string | null; thumbnail_path: string | null }): string[] {
  return ownedClipFiles(clipsDir, row).map((abs) => path.basename(abs));
}

export async function hashFile(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

export async function* fileLines(abs: string, name: string): AsyncGenerator<string> {
  // Hashed first because the record announcing the file carries its checksum; the second pass
  // checks that the file did not change in between.
  const { size, sha256 } = await hashFile(abs);
  yield line({ type: 'file', name, size, sha256 });
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(abs, { highWaterMark: CHUNK_BYTES })) {
    const buf = chunk as Buffer;
    hash.update(buf);
    bytes += buf.length;
    yield line({ type: 'chunk', data: buf.toString('base64') });
  }
  if (bytes !== size || hash.digest('hex') !== sha256) throw new Error(`clip file ${name} changed while it was being backed up`);
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    return (await fsp.stat(file)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
