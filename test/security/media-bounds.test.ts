import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractAudio } from '../../src/ingest/encode.js';
import { extractKeyFramesDetailed } from '../../src/ingest/keyframes.js';
import { probeVideo } from '../../src/ingest/probe.js';
import { MAX_KEY_FRAME_CANDIDATES } from '../../src/limits.js';
import { FFMPEG, FFPROBE, ffprobeJson, makeTempDir } from '../helpers/videos.js';

/** Media whose header lies, and media that would make ffmpeg write without end. */

const run = promisify(execFile);
const ff = { ffmpegPath: FFMPEG, timeoutMs: 120_000 };
let dir: string;

/**
 * A Matroska file holding 30 s whose segment header says 2 s: the header's Duration element
 * (ID 0x4489, an 8-byte float in milliseconds) is rewritten after ffmpeg made the file.
 */
async function makeLyingVideo(file: string): Promise<void> {
  const honest = `${file}.honest.mkv`;
  await run(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10:duration=30', '-f', 'lavfi', '-i', 'sine=duration=30', '-c:v', 'mpeg4', '-c:a', 'aac', '-shortest', honest]);
  const bytes = await fs.readFile(honest);
  const at = bytes.indexOf(Buffer.from([0x44, 0x89, 0x88]));
  expect(at).toBeGreaterThan(0);
  bytes.writeDoubleBE(2000, at + 3);
  await fs.writeFile(file, bytes);
}

/**
 * Brightness jumping by uneven steps from frame to frame: ffmpeg's scene score is the smaller of
 * the difference to the previous frame and the change of that difference, so a steady flicker
 * would score nothing, while this one passes the threshold on about every other frame.
 */
async function makeFlicker(file: string, seconds: number, fps: number): Promise<void> {
  const lum = `16+219*mod(N*N*7\\,13)/12`;
  await run(FFMPEG, ['-v', 'error', '-f', 'lavfi', '-i', `color=black:s=64x48:r=${fps}:d=${seconds},format=yuv420p,geq=lum='${lum}':cb=128:cr=128`, '-c:v', 'mpeg4', '-q:v', '5', file]);
}

beforeAll(async () => {
  dir = await makeTempDir('fb-media-bounds-');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('a duration header that lies', () => {
  it('bounds key frames and audio by the probed duration, not by what the file holds', async () => {
    const file = path.join(dir, 'lie.mkv');
    await makeLyingVideo(file);
    const info = await probeVideo(file, { ffprobePath: FFPROBE, timeoutMs: 30_000, maxVideoSeconds: 10 });
    expect(info.duration).toBe(2);

    const { frames, sceneChanges } = await extractKeyFramesDetailed(file, path.join(dir, 'frames'), {
      ...ff,
      max: 24,
      sampleEverySeconds: 0.5,
      maxSeconds: info.duration,
    });
    expect(Math.max(...frames.map((f) => f.time), ...sceneChanges)).toBeLessThanOrEqual(2);

    const audio = path.join(dir, 'audio.mp3');
    await extractAudio({ ...ff, input: file, output: audio, maxSeconds: info.duration });
    expect(Number((await ffprobeJson(audio)).format.duration)).toBeLessThan(2.5);
  });
});

describe('key frames of a flickering video', () => {
  it('takes scene changes no closer than the minimum gap', async () => {
    const file = path.join(dir, 'flicker-20.mp4');
    await makeFlicker(file, 20, 30);
    const { sceneChanges } = await extractKeyFramesDetailed(file, path.join(dir, 'gap'), { ...ff, max: 24, maxSeconds: 20 });
    // About 300 of the 600 frames pass the threshold; one image per half second at most is taken.
    expect(sceneChanges.length).toBeGreaterThan(20);
    expect(sceneChanges.length).toBeLessThanOrEqual(41);
    expect((await fs.readdir(path.join(dir, 'gap'))).length).toBe(24);
  });

  it(`stops writing at MAX_KEY_FRAME_CANDIDATES (${MAX_KEY_FRAME_CANDIDATES}) images`, async () => {
    // Some 30 scene changes a second at 60 frames a second: more than the cap.
    const seconds = Math.ceil((1.25 * MAX_KEY_FRAME_CANDIDATES) / 30);
    const file = path.join(dir, 'flicker-long.mp4');
    await makeFlicker(file, seconds, 60);
    const out = path.join(dir, 'cap');
    const { sceneChanges } = await extractKeyFramesDetailed(file, out, { ...ff, max: 24, minGapSeconds: 0, maxSeconds: seconds });
    expect(sceneChanges.length).toBeLessThanOrEqual(MAX_KEY_FRAME_CANDIDATES);
    expect(sceneChanges.length).toBeGreaterThan(MAX_KEY_FRAME_CANDIDATES - 10);
    expect(Math.max(...sceneChanges)).toBeLessThan(seconds - 10);
    expect((await fs.readdir(out)).length).toBe(24);
  }, 120_000);
});
