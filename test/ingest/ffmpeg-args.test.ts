import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import {
  cutArgs,
  extractAudioArgs,
  formatSeconds,
  keyFrameArgs,
  keyFramePattern,
  mediaPath,
  probeArgs,
  thumbnailArgs,
} from '../../src/ingest/ffmpeg-args.js';
import { MAX_KEY_FRAME_CANDIDATES } from '../../src/limits.js';

/** The value following `flag` (first occurrence). */
function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

/** All values following every occurrence of `flag`. */
function valuesOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag && i + 1 < args.length ? [args[i + 1]!] : []));
}

describe('mediaPath and formatSeconds', () => {
  it.each([
    ['/tmp/a.mp4', 'file:/tmp/a.mp4'],
    ['-rf.mp4', 'file:-rf.mp4'],
    ['concat:/etc/passwd|x.mp4', 'file:concat:/etc/passwd|x.mp4'],
    ['name with spaces; $(rm).mp4', 'file:name with spaces; $(rm).mp4'],
  ])('mediaPath(%j)', (input, expected) => {
    expect(mediaPath(input)).toBe(expected);
  });

  it.each([
    [0, '0.000'],
    [2, '2.000'],
    [4.5, '4.500'],
    [1.23456, '1.235'],
  ])('formatSeconds(%s)', (input, expected) => {
    expect(formatSeconds(input)).toBe(expected);
  });
});

describe('probeArgs', () => {
  it('asks for JSON format and streams of the file', () => {
    expect(probeArgs('/v/a.mp4')).toEqual([
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      'mov,matroska,avi,flv,mpegts,mpeg,ogg,asf',
      '-i',
      'file:/v/a.mp4',
    ]);
  });
});

describe('cutArgs', () => {
  const base = { input: '/in/v.mp4', start: 2, end: 6.5, output: '/out/c.mp4' };
  const args = cutArgs(base);

  it.each([
    ['-ss', '2.000'],
    ['-t', '4.500'],
    ['-i', 'file:/in/v.mp4'],
    ['-c:v', 'libx264'],
    ['-preset', 'veryfast'],
    ['-crf', '23'],
    ['-pix_fmt', 'yuv420p'],
    ['-c:a', 'aac'],
    ['-b:a', '128k'],
    ['-movflags', '+faststart'],
    ['-loglevel', 'error'],
  ])('%s %s', (flag, value) => {
    expect(valueOf(args, flag)).toBe(value);
  });

  it('seeks before the input (fast and, with re-encoding, exact) and limits by duration after it', () => {
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    expect(args.indexOf('-t')).toBeGreaterThan(args.indexOf('-i'));
    expect(args).not.toContain('-to');
    expect(args).not.toContain('copy');
  });

  it('maps the first video and the optional first audio stream', () => {
    expect(valuesOf(args, '-map')).toEqual(['0:v:0', '0:a:0?']);
  });

  it('is non-interactive, overwrites, and ends with the output', () => {
    expect(args).toContain('-nostdin');
    expect(args).toContain('-y');
    expect(args.at(-1)).toBe('file:/out/c.mp4');
  });

  it('takes a preset and crf', () => {
    const fast = cutArgs({ ...base, preset: 'ultrafast', crf: 30 });
    expect(valueOf(fast, '-preset')).toBe('ultrafast');
    expect(valueOf(fast, '-crf')).toBe('30');
  });

  it('returns separate array elements, never a shell string', () => {
    const odd = cutArgs({ ...base, input: '/in/a b;c.mp4' });
    expect(odd).toContain('file:/in/a b;c.mp4');
    for (const a of odd) expect(typeof a).toBe('string');
  });

  it('has no second output without a thumbnail', () => {
    expect(args.filter((a) => a.startsWith('file:'))).toEqual(['file:/in/v.mp4', 'file:/out/c.mp4']);
  });

  it.each([
    [{ at: 1, width: 480 }, 'trim=start=1.000:duration=0.001,scale=480:-2'],
    [{ at: 0, width: 321 }, 'trim=start=0.000:duration=0.001,scale=320:-2'],
    [{ at: 4.4996, width: 2 }, 'trim=start=4.500:duration=0.001,scale=2:-2'],
  ])('adds a thumbnail output %j after the clip', (thumb, vf) => {
    const withThumb = cutArgs({ ...base, thumbnail: { output: '/out/c.jpg', ...thumb } });
    // The clip's own arguments are unchanged and come first.
    expect(withThumb.slice(0, args.length)).toEqual(args);
    const second = withThumb.slice(args.length);
    expect(second).toEqual(['-map', '0:v:0', '-frames:v', '1', '-vf', vf, '-q:v', '3', '-update', '1', 'file:/out/c.jpg']);
    // Clip time, not source time: no second seek, no -ss of its own.
    expect(valuesOf(withThumb, '-ss')).toEqual(['2.000']);
  });

  it.each([
    [{ at: -0.5 }, 'thumbnail.at'],
    [{ at: 4.5 }, 'thumbnail.at'],
    [{ at: NaN }, 'thumbnail.at'],
    [{ width: 0 }, 'width'],
    [{ width: 99.5 }, 'width'],
  ])('rejects thumbnail %j', (bad, field) => {
    try {
      cutArgs({ ...base, thumbnail: { output: '/out/c.jpg', at: 1, width: 320, ...bad } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it.each([
    [{ start: -1 }, 'start'],
    [{ start: NaN }, 'start'],
    [{ end: 2 }, 'end'],
    [{ end: 1 }, 'end'],
    [{ end: Infinity }, 'end'],
    [{ crf: 60 }, 'crf'],
    [{ crf: 2.5 }, 'crf'],
  ])('rejects %j', (bad, field) => {
    try {
      cutArgs({ ...base, ...bad });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });
});

describe('thumbnailArgs', () => {
  it.each([
    [{ at: 3, width: 320 }, '3.000', 'scale=320:-2'],
    [{ at: 0, width: 641 }, '0.000', 'scale=640:-2'],
    [{ at: 12.3456, width: 2 }, '12.346', 'scale=2:-2'],
  ])('%j', (input, ss, vf) => {
    const args = thumbnailArgs({ input: '/v.mp4', output: '/t.jpg', ...input });
    expect(valueOf(args, '-ss')).toBe(ss);
    expect(valueOf(args, '-vf')).toBe(vf);
    expect(valueOf(args, '-frames:v')).toBe('1');
    expect(valueOf(args, '-update')).toBe('1');
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    expect(args.at(-1)).toBe('file:/t.jpg');
  });

  it.each([
    [{ at: -1, width: 320 }, 'at'],
    [{ at: 1, width: 0 }, 'width'],
    [{ at: 1, width: 100.5 }, 'width'],
    [{ at: 1, width: 100_000 }, 'width'],
  ])('rejects %j', (bad, field) => {
    expect(() => thumbnailArgs({ input: '/v.mp4', output: '/t.jpg', ...bad })).toThrow(field);
  });
});

describe('keyFrameArgs', () => {
  it.each([
    [
      {},
      "select='gt(scene\\,0.26)*gte(t-prev_selected_t\\,0.5)+isnan(prev_selected_t)+gte(t-prev_selected_t\\,5)',scale=512:-2,metadata=print",
      'keyframe-%05d.jpg',
    ],
    [
      { sceneThreshold: 0.45, sampleEverySeconds: 2.5, width: 321, prefix: 'kf-x-', minGapSeconds: 0 },
      "select='gt(scene\\,0.45)+isnan(prev_selected_t)+gte(t-prev_selected_t\\,2.5)',scale=320:-2,metadata=print",
      'kf-x-%05d.jpg',
    ],
    [
      { minGapSeconds: 1.5 },
      "select='gt(scene\\,0.26)*gte(t-prev_selected_t\\,1.5)+isnan(prev_selected_t)+gte(t-prev_selected_t\\,5)',scale=512:-2,metadata=print",
      'keyframe-%05d.jpg',
    ],
  ])('%j', (options, vf, pattern) => {
    const args = keyFrameArgs({ input: '/v.mp4', outDir: '/frames', maxSeconds: 12.5, ...options });
    expect(valueOf(args, '-vf')).toBe(vf);
    expect(args.at(-1)).toBe(`file:/frames/${pattern}`);
    // metadata=print logs at info level; the frame times are read from there.
    expect(valueOf(args, '-loglevel')).toBe('info');
    expect(valueOf(args, '-fps_mode')).toBe('passthrough');
    expect(valueOf(args, '-map')).toBe('0:v:0');
    expect(args).toContain('-an');
    // Decoding stops at the probed duration (input side, before -i), writing at the image cap.
    expect(args.slice(args.indexOf('-t'), args.indexOf('-i'))).toContain('12.500');
    expect(valueOf(args, '-frames:v')).toBe(String(MAX_KEY_FRAME_CANDIDATES));
  });

  it('pattern helper matches the output', () => {
    expect(keyFramePattern('/f')).toBe('/f/keyframe-%05d.jpg');
  });

  it.each([
    [{ sceneThreshold: 0 }, 'sceneThreshold'],
    [{ sceneThreshold: 1 }, 'sceneThreshold'],
    [{ sampleEverySeconds: 0 }, 'sampleEverySeconds'],
    [{ sampleEverySeconds: NaN }, 'sampleEverySeconds'],
    [{ width: -4 }, 'width'],
    [{ minGapSeconds: -1 }, 'minGapSeconds'],
    [{ maxSeconds: 0 }, 'maxSeconds'],
    [{ maxSeconds: Infinity }, 'maxSeconds'],
  ])('rejects %j', (bad, field) => {
    expect(() => keyFrameArgs({ input: '/v.mp4', outDir: '/f', maxSeconds: 12.5, ...bad })).toThrow(field);
  });
});

describe('extractAudioArgs', () => {
  it.each([
    ['/a/out.mp3', 'libmp3lame', '32k'],
    ['/a/OUT.M4A', 'aac', '48k'],
  ])('%s', (output, codec, bitrate) => {
    const args = extractAudioArgs({ input: '/v.mp4', output, maxSeconds: 12.5 });
    expect(valueOf(args, '-c:a')).toBe(codec);
    expect(valueOf(args, '-b:a')).toBe(bitrate);
    expect(valueOf(args, '-ac')).toBe('1');
    expect(valueOf(args, '-ar')).toBe('16000');
    expect(valueOf(args, '-map')).toBe('0:a:0');
    expect(args).toContain('-vn');
    expect(args.at(-1)).toBe(`file:${output}`);
    expect(args.indexOf('-t')).toBeLessThan(args.indexOf('-i'));
    expect(valueOf(args, '-t')).toBe('12.500');
  });

  it.each(['/a/out.wav', '/a/out', '/a/out.mp4'])('rejects %s', (output) => {
    expect(() => extractAudioArgs({ input: '/v.mp4', output, maxSeconds: 12.5 })).toThrow(ValidationError);
  });
});
