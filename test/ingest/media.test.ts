import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProcessingError, UnavailableError, ValidationError } from '../../src/errors.js';
import { cutClip, extractAudio, makeThumbnail, runFfmpeg } from '../../src/ingest/encode.js';
import { dedupeByTime, extractKeyFrames, extractKeyFramesDetailed, parseKeyFrameLog, spreadEvenly } from '../../src/ingest/keyframes.js';
import { probeVideo } from '../../src/ingest/probe.js';
import { FFMPEG, FFPROBE, ffprobeJson, makeNonVideoFile, makeTempDir, makeTestVideo } from '../helpers/videos.js';
import { isAlive } from '../helpers/process.js';

const execFileAsync = promisify(execFile);
const ff = { ffmpegPath: FFMPEG, timeoutMs: 30_000 };
/** A decoding bound longer than any fixture, for tests about something else. */
const WHOLE = 3600;
const probeOpts = { ffprobePath: FFPROBE, timeoutMs: 30_000, maxVideoSeconds: 600 };

let fixtures: string;
let video: string;
let silent: string;

beforeAll(async () => {
  fixtures = await makeTempDir('fb-media-fixtures-');
  video = path.join(fixtures, 'scenes.mp4');
  silent = path.join(fixtures, 'silent.mp4');
  await Promise.all([
    makeTestVideo(video, { duration: 12, scenes: [3, 6, 9], audio: true }),
    makeTestVideo(silent, { duration: 4, scenes: [2], audio: false, width: 160, height: 120 }),
  ]);
});

afterAll(async () => {
  if (fixtures) await fs.rm(fixtures, { recursive: true, force: true });
});

let dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await makeTempDir();
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
  dirs = [];
});

async function expectProcessingError(promise: Promise<unknown>, message: RegExp): Promise<ProcessingError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProcessingError);
  expect((error as ProcessingError).message).toMatch(message);
  return error as ProcessingError;
}

/** The test scenes' colour of a picture, from its average pixel (the time label is small). */
async function dominantColour(file: string): Promise<string> {
  const { stdout } = await execFileAsync(
    FFMPEG,
    ['-nostdin', '-loglevel', 'error', '-i', file, '-vf', 'scale=1:1:flags=area,format=rgb24', '-f', 'rawvideo', 'pipe:1'],
    { encoding: 'buffer' },
  );
  const [r, g, b] = [...stdout];
  const colours: Record<string, [number, number, number]> = { red: [255, 0, 0], blue: [0, 0, 255], green: [0, 128, 0], yellow: [255, 255, 0] };
  let best = '';
  let bestDistance = Infinity;
  for (const [name, [cr, cg, cb]] of Object.entries(colours)) {
    const d = (r! - cr) ** 2 + (g! - cg) ** 2 + (b! - cb) ** 2;
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

describe('probeVideo', () => {
  it('reports duration, size, streams and format', async () => {
    const info = await probeVideo(video, probeOpts);
    expect(info.duration).toBeCloseTo(12, 1);
    expect(info).toMatchObject({ width: 320, height: 240, hasAudio: true, hasVideo: true, videoCodec: 'h264', audioCodec: 'aac' });
    expect(info.formatName).toContain('mp4');
    expect(info.sizeBytes).toBe((await fs.stat(video)).size);
  });

  it('reports a silent video as having no audio', async () => {
    const info = await probeVideo(silent, probeOpts);
    expect(info).toMatchObject({ hasAudio: false, audioCodec: null, width: 160, height: 120 });
  });

  it('refuses a text file renamed .mp4 as the submitter\'s input (422 naming url)', async () => {
    const dir = await tempDir();
    const file = await makeNonVideoFile(path.join(dir, 'fake.mp4'), 'text');
    const error = await probeVideo(file, probeOpts).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('url: not a video file (ffprobe could not read it)');
  });

  it.each([
    ['PNG renamed .mp4', 'png' as const, /still image/i],
  ])('refuses a %s', async (_label, kind, message) => {
    const dir = await tempDir();
    const file = await makeNonVideoFile(path.join(dir, 'fake.mp4'), kind);
    const error = await expectProcessingError(probeVideo(file, probeOpts), message);
    expect(error.retryable).toBe(false);
  });

  it('refuses an audio-only file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'tone.m4a');
    await extractAudio({ ...ff, maxSeconds: WHOLE, input: video, output: file });
    await expectProcessingError(probeVideo(file, probeOpts), /no picture/i);
  });

  it('refuses missing, empty and directory paths', async () => {
    const dir = await tempDir();
    await expectProcessingError(probeVideo(path.join(dir, 'missing.mp4'), probeOpts), /cannot read/i);
    await fs.writeFile(path.join(dir, 'empty.mp4'), '');
    // An empty file is what the submitter's URL gave: 422 naming url.
    await expect(probeVideo(path.join(dir, 'empty.mp4'), probeOpts)).rejects.toThrow(new ValidationError('url', 'the downloaded file is empty'));
    await expectProcessingError(probeVideo(dir, probeOpts), /cannot read/i);
  });

  it('refuses a video longer than the limit', async () => {
    const error = await expectProcessingError(
      probeVideo(video, { ...probeOpts, maxVideoSeconds: 10 }),
      /12 s long, longer than the limit of 10 s/,
    );
    expect(error.retryable).toBe(false);
  });
});

describe('extractKeyFrames', () => {
  it('finds every scene change, sorted, with files on disk', async () => {
    const dir = await tempDir();
    const { frames, sceneChanges } = await extractKeyFramesDetailed(video, dir, { ...ff, maxSeconds: WHOLE, max: 24 });
    const times = frames.map((f) => f.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const cut of [3, 6, 9]) {
      expect(times.some((t) => Math.abs(t - cut) <= 0.2)).toBe(true);
      expect(sceneChanges.some((t) => Math.abs(t - cut) <= 0.2)).toBe(true);
    }
    expect(times[0]).toBe(0);
    expect(sceneChanges).not.toContain(0);
    for (const f of frames) expect(existsSync(f.path)).toBe(true);
    expect((await fs.readdir(dir)).length).toBe(frames.length);
    const [jpeg] = (await ffprobeJson(frames[0]!.path)).streams;
    expect(jpeg!.codec_name).toBe('mjpeg');
  });

  it('adds regular samples in static stretches', async () => {
    const dir = await tempDir();
    const frames = await extractKeyFrames(video, dir, { ...ff, maxSeconds: WHOLE, max: 24, sampleEverySeconds: 1 });
    // Scene changes every 3 s plus a sample each second, at least 1 s apart after de-duplication.
    expect(frames.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < frames.length; i++) {
      expect(frames[i]!.time - frames[i - 1]!.time).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('caps at max with an even spread and deletes the rest', async () => {
    const dir = await tempDir();
    const frames = await extractKeyFrames(video, dir, { ...ff, maxSeconds: WHOLE, max: 3, sampleEverySeconds: 1 });
    expect(frames).toHaveLength(3);
    expect(frames[0]!.time).toBe(0);
    expect(frames[1]!.time).toBeGreaterThan(4);
    expect(frames[1]!.time).toBeLessThan(8);
    expect((await fs.readdir(dir)).sort()).toEqual(frames.map((f) => path.basename(f.path)).sort());
  });

  it('refuses a non-video and leaves nothing behind', async () => {
    const dir = await tempDir();
    const fake = await makeNonVideoFile(path.join(dir, 'in', 'fake.mp4'));
    const out = path.join(dir, 'frames');
    await expectProcessingError(extractKeyFrames(fake, out, { ...ff, maxSeconds: WHOLE, max: 5 }), /ffmpeg failed/);
    expect(await fs.readdir(out)).toEqual([]);
  });
});

describe('key frame selection helpers', () => {
  it('parses the metadata log', () => {
    const log = [
      '[Parsed_metadata_2 @ 0x55] frame:0    pts:0       pts_time:0',
      '[Parsed_metadata_2 @ 0x55] lavfi.scene_score=0.000000',
      'Output #0, image2, to ...',
      '[Parsed_metadata_2 @ 0x55] frame:1    pts:38400   pts_time:3',
      '[Parsed_metadata_2 @ 0x55] lavfi.scene_score=0.464515',
      '[Parsed_metadata_2 @ 0x55] frame:2    pts:76800   pts_time:6.04',
    ];
    expect(parseKeyFrameLog(log)).toEqual([
      { frame: 0, time: 0, score: 0 },
      { frame: 1, time: 3, score: 0.464515 },
      { frame: 2, time: 6.04, score: 0 },
    ]);
  });

  it.each([
    { name: 'keeps frames far apart', input: [[0, false], [1, true], [2, false]], expected: [0, 1, 2] },
    { name: 'prefers the scene change when close', input: [[5, false], [5.2, true]], expected: [5.2] },
    { name: 'keeps the earlier of two samples', input: [[5, false], [5.2, false]], expected: [5] },
    { name: 'sorts first', input: [[3, true], [0, false], [3.1, false]], expected: [0, 3] },
  ] as { name: string; input: [number, boolean][]; expected: number[] }[])('dedupeByTime $name', ({ input, expected }) => {
    const frames = input.map(([time, sceneChange]) => ({ time, sceneChange }));
    expect(dedupeByTime(frames, 0.5).map((f) => f.time)).toEqual(expected);
  });

  it.each([
    { input: [0, 1, 2], max: 5, expected: [0, 1, 2] },
    { input: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], max: 3, expected: [0, 5, 10] },
    // A burst of cuts early does not crowd out the end of the video.
    { input: [0, 0.5, 1, 1.5, 2, 2.5, 3, 60], max: 3, expected: [0, 3, 60] },
    { input: [0, 10, 20], max: 1, expected: [10] },
    { input: [0, 1, 2, 3], max: 0, expected: [] },
  ])('spreadEvenly %j', ({ input, max, expected }) => {
    expect(spreadEvenly(input.map((time) => ({ time })), max).map((f) => f.time)).toEqual(expected);
  });
});

describe('cutClip', () => {
  it('cuts an exact-length H.264/AAC clip and leaves only the final file', async () => {
    const dir = await tempDir();
    const output = path.join(dir, 'clips', 'squat.mp4');
    await cutClip({ ...ff, input: video, start: 2.0, end: 6.5, output });
    const probed = await ffprobeJson(output);
    expect(Math.abs(Number(probed.format.duration) - 4.5)).toBeLessThanOrEqual(0.1);
    expect(probed.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
    expect(await fs.readdir(path.dirname(output))).toEqual(['squat.mp4']);
  });

  it('cuts a silent video', async () => {
    const dir = await tempDir();
    const output = path.join(dir, 'silent-clip.mp4');
    await cutClip({ ...ff, input: silent, start: 0.5, end: 3, output, preset: 'ultrafast' });
    const probed = await ffprobeJson(output);
    expect(probed.streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(Math.abs(Number(probed.format.duration) - 2.5)).toBeLessThanOrEqual(0.1);
  });

  it('leaves no file when ffmpeg fails', async () => {
    const dir = await tempDir();
    const fake = await makeNonVideoFile(path.join(dir, 'fake.mp4'));
    const output = path.join(dir, 'out', 'clip.mp4');
    const error = await expectProcessingError(cutClip({ ...ff, input: fake, start: 0, end: 1, output }), /ffmpeg failed with exit code/);
    expect(error.message).toMatch(/Invalid data|moov atom/);
    expect(await fs.readdir(path.dirname(output))).toEqual([]);
  });

  it('writes under a hidden temporary name and leaves no file when stopped half-way', async () => {
    const dir = await tempDir();
    const output = path.join(dir, 'clip.mp4');
    const seen = new Set<string>();
    const controller = new AbortController();
    // Stop the cut as soon as its partial file exists: deterministic whatever the machine's speed.
    const poll = setInterval(() => {
      fs.readdir(dir).then((names) => {
        names.forEach((n) => seen.add(n));
        if (names.length > 0) controller.abort();
      }, () => {});
    }, 5);
    try {
      await expect(
        cutClip({ ...ff, timeoutMs: 120_000, killGraceMs: 100, input: video, start: 0, end: 12, output, preset: 'veryslow', signal: controller.signal }),
      ).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      clearInterval(poll);
    }
    expect(seen.size).toBeGreaterThan(0);
    expect([...seen].every((n) => /^\.clip\.[0-9a-f]+\.part\.mp4$/.test(n))).toBe(true);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('writes the thumbnail in the same run, from the given time within the clip', async () => {
    const dir = await tempDir();
    const output = path.join(dir, 'clip.mp4');
    // Scenes: red 0-3 s, blue 3-6 s. The clip starts at 2.0 s, so clip time 0.5 is red, 1.5 blue.
    for (const [at, colour] of [
      [0.5, 'red'],
      [1.5, 'blue'],
    ] as const) {
      const thumb = path.join(dir, `thumb-${at}.jpg`);
      await cutClip({ ...ff, input: video, start: 2.0, end: 6.5, output, preset: 'ultrafast', thumbnail: { output: thumb, at, width: 160 } });
      const [stream] = (await ffprobeJson(thumb)).streams as unknown as { width: number; height: number; codec_name: string }[];
      expect(stream).toMatchObject({ codec_name: 'mjpeg', width: 160, height: 120 });
      expect(await dominantColour(thumb)).toBe(colour);
    }
    const probed = await ffprobeJson(output);
    expect(Math.abs(Number(probed.format.duration) - 4.5)).toBeLessThanOrEqual(0.1);
    expect((await fs.readdir(dir)).sort()).toEqual(['clip.mp4', 'thumb-0.5.jpg', 'thumb-1.5.jpg']);
  });

  it('leaves neither the clip nor the thumbnail when ffmpeg fails or is stopped', async () => {
    const dir = await tempDir();
    const fake = await makeNonVideoFile(path.join(dir, 'in', 'fake.mp4'));
    const out = path.join(dir, 'out');
    const thumbnail = { output: path.join(out, 'c.jpg'), at: 0.5, width: 160 };
    await expectProcessingError(cutClip({ ...ff, input: fake, start: 0, end: 1, output: path.join(out, 'c.mp4'), thumbnail }), /ffmpeg failed/);
    expect(await fs.readdir(out)).toEqual([]);

    const controller = new AbortController();
    const seen = new Set<string>();
    const poll = setInterval(() => {
      fs.readdir(out).then((names) => {
        names.forEach((n) => seen.add(n));
        if (names.some((n) => n.endsWith('.jpg'))) controller.abort();
      }, () => {});
    }, 5);
    try {
      await expect(
        cutClip({ ...ff, timeoutMs: 120_000, killGraceMs: 100, input: video, start: 0, end: 12, output: path.join(out, 'c.mp4'), preset: 'veryslow', thumbnail, signal: controller.signal }),
      ).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      clearInterval(poll);
    }
    expect([...seen].some((n) => /^\.c\.[0-9a-f]+\.part\.jpg$/.test(n))).toBe(true);
    expect(await fs.readdir(out)).toEqual([]);
  });

  it('refuses a thumbnail that yields no picture and keeps no clip either', async () => {
    const dir = await tempDir();
    // The source ends at 12 s: the clip is cut short and its thumbnail time is past the end.
    await expectProcessingError(
      cutClip({ ...ff, input: video, start: 10, end: 15, output: path.join(dir, 'c.mp4'), preset: 'ultrafast', thumbnail: { output: path.join(dir, 'c.jpg'), at: 4, width: 160 } }),
      /no thumbnail/,
    );
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('rejects a thumbnail time outside the clip before running anything', async () => {
    const dir = await tempDir();
    await expect(
      cutClip({ ...ff, input: video, start: 2, end: 4, output: path.join(dir, 'c.mp4'), thumbnail: { output: path.join(dir, 'c.jpg'), at: 2, width: 160 } }),
    ).rejects.toThrow(/thumbnail\.at/);
    await expect(
      cutClip({ ...ff, input: video, start: 2, end: 4, output: path.join(dir, 'c.mp4'), thumbnail: { output: path.join(dir, 'c.mp4'), at: 1, width: 160 } }),
    ).rejects.toThrow(/thumbnail\.output/);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('rejects a bad range before running anything', async () => {
    const dir = await tempDir();
    await expect(cutClip({ ...ff, input: video, start: 5, end: 4, output: path.join(dir, 'x.mp4') })).rejects.toThrow(/end/);
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

describe('makeThumbnail and extractAudio', () => {
  it('writes one scaled JPEG', async () => {
    const dir = await tempDir();
    const output = path.join(dir, 'thumb.jpg');
    await makeThumbnail({ ...ff, input: video, at: 4, output, width: 160 });
    const [stream] = (await ffprobeJson(output)).streams as unknown as { width: number; height: number; codec_name: string }[];
    expect(stream).toMatchObject({ codec_name: 'mjpeg', width: 160, height: 120 });
    expect(await fs.readdir(dir)).toEqual(['thumb.jpg']);
  });

  it('refuses a time past the end instead of leaving nothing silently', async () => {
    const dir = await tempDir();
    await expectProcessingError(
      makeThumbnail({ ...ff, input: video, at: 60, output: path.join(dir, 't.jpg'), width: 160 }),
      /no thumbnail/,
    );
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('extracts mono 16 kHz mp3', async () => {
    const dir = await tempDir();
    const output = path.join(dir, 'speech.mp3');
    await extractAudio({ ...ff, maxSeconds: WHOLE, input: video, output });
    const probed = await ffprobeJson(output);
    const [audio] = probed.streams as unknown as { codec_name: string; channels: number; sample_rate: string }[];
    expect(audio).toMatchObject({ codec_name: 'mp3', channels: 1, sample_rate: '16000' });
    expect(Number(probed.format.duration)).toBeCloseTo(12, 0);
  });

  it('fails clearly on a video without sound', async () => {
    const dir = await tempDir();
    await expectProcessingError(extractAudio({ ...ff, maxSeconds: WHOLE, input: silent, output: path.join(dir, 'a.mp3') }), /matches no streams/);
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

describe('runFfmpeg', () => {
  const endless = ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'null', '-'];

  it('kills ffmpeg on timeout and throws a retryable ProcessingError', async () => {
    const error = await expectProcessingError(runFfmpeg(endless, { ...ff, timeoutMs: 300 }), /timed out after 300 ms/);
    expect(error.retryable).toBe(true);
  });

  it('escalates to SIGKILL when the process ignores SIGTERM', async () => {
    const dir = await tempDir();
    const pidFile = path.join(dir, 'pid');
    const script = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);`;
    await expectProcessingError(
      runFfmpeg(['-e', script], { ffmpegPath: process.execPath, timeoutMs: 3000, killGraceMs: 300 }),
      /timed out/,
    );
    const pid = Number(await fs.readFile(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(false);
  });

  it('stops on abort with the abort reason', async () => {
    const controller = new AbortController();
    const promise = runFfmpeg(endless, { ...ff, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(promise).rejects.toMatchObject({ name: 'AbortError' });
    await expect(runFfmpeg(endless, { ...ff, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reports the stderr tail on failure', async () => {
    await expectProcessingError(runFfmpeg(['-nostdin', '-i', 'file:/nonexistent/x.mp4'], ff), /exit code 1: .*No such file/s);
  });

  it('reports a missing binary as unavailable', async () => {
    const error = await runFfmpeg(['-version'], { ...ff, ffmpegPath: '/nonexistent/ffmpeg' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).retryable).toBe(false);
  });

  it('streams stderr lines to a callback', async () => {
    const lines: string[] = [];
    await runFfmpeg(['-nostdin', '-hide_banner', '-loglevel', 'info', '-f', 'lavfi', '-i', 'color=s=32x32:d=0.2', '-vf', 'showinfo', '-f', 'null', '-'], {
      ...ff,
      onStderrLine: (l) => lines.push(l),
    });
    expect(lines.filter((l) => l.includes('pts_time:')).length).toBeGreaterThan(1);
  });
});
