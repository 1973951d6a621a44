import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProcessingError, UnavailableError } from '../../src/errors.js';
import { analyzeWithAI, parseAnalysis, sampleEvenly } from '../../src/ingest/analyze.js';
import type { AnalysisInput } from '../../src/ingest/types.js';
import { chatCompletion, startFakeOpenAI, type FakeOpenAI, type FakeRequest } from '../helpers/openai-server.js';

let dir: string;
let frames: { time: number; path: string }[];
let fake: FakeOpenAI;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fb-analyze-'));
  // Three real JPEG key frames at 0, 4 and 8 s of a test pattern.
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=1', '-t', '3',
    '-q:v', '5', path.join(dir, 'frame-%d.jpg'),
  ]);
  frames = [0, 4, 8].map((time, i) => ({ time, path: path.join(dir, `frame-${i + 1}.jpg`) }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await fake?.close();
});

const input = (overrides: Partial<AnalysisInput> = {}): AnalysisInput => ({
  frames,
  transcript: 'Start with ten squats, then go into lunges.',
  caption: 'Leg day 🔥\n1. Squats 3x12\n2. Lunges\n#legday #fitness',
  title: 'Leg day routine',
  tags: ['legday', 'fitness'],
  carouselIndex: 2,
  carouselCount: 5,
  duration: 12,
  sceneChanges: [5.5],
  ...overrides,
});

const exercise = (overrides: Record<string, unknown> = {}) => ({
  name: 'Bodyweight squat',
  start_time: 0,
  end_time: 5.5,
  how_to: 'Feet shoulder width, sit back, knees track toes.',
  benefits: 'Leg strength',
  counteracts: 'Sitting all day',
  fitness_level: 2,
  intensity: 4,
  rounds_reps: '3 x 12',
  category: 'strength',
  primary_muscles: ['quadriceps', 'glutes'],
  secondary_muscles: ['hamstrings'],
  equipment: 'none',
  force: 'push',
  mechanic: 'compound',
  confidence: 0.9,
  ...overrides,
});

const answer = (...items: object[]) => JSON.stringify({ exercises: items });
const opts = () => ({ baseUrl: fake.baseUrl, apiKey: 'k', model: 'vision-model', timeoutMs: 5000 });
const chat = (handler: (req: FakeRequest, i: number) => string) =>
  startFakeOpenAI({ '/v1/chat/completions': (req, i) => ({ json: chatCompletion(handler(req, i)) }) });

type Part = { type: string; text?: string; image_url?: { url: string } };
type Body = { model: string; messages: { role: string; content: string | Part[] }[]; response_format?: { type: string } };

describe('analyzeWithAI', () => {
  it('returns validated exercises from valid JSON and sends JSON mode with the model', async () => {
    fake = await chat(() => answer(exercise(), exercise({ name: 'Forward lunge', start_time: 5.5, end_time: 12 })));
    const result = await analyzeWithAI(input(), opts());
    expect(result.map((e) => [e.name, e.start_time, e.end_time])).toEqual([
      ['Bodyweight squat', 0, 5.5],
      ['Forward lunge', 5.5, 12],
    ]);
    expect(result[0]).toMatchObject({ fitness_level: 2, intensity: 4, primary_muscles: ['quadriceps', 'glutes'], confidence: 0.9 });
    const body = fake.requests[0]!.body as Body;
    expect(body.model).toBe('vision-model');
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages[0]!.role).toBe('system');
    expect(body.messages[0]!.content).toMatch(/"exercises"/);
  });

  it('sends caption, carousel position, scene changes, transcript and every frame as an image after its timestamp', async () => {
    fake = await chat(() => answer(exercise()));
    await analyzeWithAI(input(), opts());
    const parts = (fake.requests[0]!.body as Body).messages[1]!.content as Part[];
    const intro = parts[0]!.text!;
    expect(intro).toContain('1. Squats 3x12');
    expect(intro).toContain('Leg day routine');
    expect(intro).toContain('#legday #fitness');
    expect(intro).toContain('slide 2 of 5');
    expect(intro).toContain('Duration: 12 s');
    expect(intro).toContain('5.5');
    expect(intro).toContain('Start with ten squats');
    const images = parts.filter((p) => p.type === 'image_url');
    expect(images).toHaveLength(3);
    for (const [i, frame] of frames.entries()) {
      const index = parts.indexOf(images[i]!);
      expect(parts[index - 1]).toEqual({ type: 'text', text: `Frame at ${frame.time} s:` });
      const url = images[i]!.image_url!.url;
      expect(url.startsWith('data:image/jpeg;base64,')).toBe(true);
      expect(Buffer.from(url.split(',')[1]!, 'base64')).toEqual(await readFile(frame.path));
    }
  });

  it('limits the number of frames sent, keeping first and last', async () => {
    fake = await chat(() => answer(exercise()));
    await analyzeWithAI(input(), { ...opts(), maxFrames: 2 });
    const parts = (fake.requests[0]!.body as Body).messages[1]!.content as Part[];
    expect(parts.filter((p) => p.type === 'image_url')).toHaveLength(2);
    expect(parts.filter((p) => p.text?.startsWith('Frame at')).map((p) => p.text)).toEqual(['Frame at 0 s:', 'Frame at 8 s:']);
  });

  it('accepts JSON inside code fences', async () => {
    fake = await chat(() => 'Here you go:\n```json\n' + answer(exercise()) + '\n```');
    expect((await analyzeWithAI(input(), opts())).map((e) => e.name)).toEqual(['Bodyweight squat']);
  });

  it('retries once with the problem after garbage, then succeeds', async () => {
    fake = await chat((_req, i) => (i === 0 ? 'Sure! The video shows squats.' : answer(exercise())));
    const result = await analyzeWithAI(input(), opts());
    expect(result).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
    const retry = (fake.requests[1]!.body as Body).messages;
    expect(retry.at(-2)).toEqual({ role: 'assistant', content: 'Sure! The video shows squats.' });
    expect(retry.at(-1)!.content).toMatch(/not valid JSON/);
  });

  it('retries when a field is missing and names it', async () => {
    const { fitness_level: _dropped, ...incomplete } = exercise();
    fake = await chat((_req, i) => (i === 0 ? answer(incomplete) : answer(exercise())));
    await analyzeWithAI(input(), opts());
    expect((fake.requests[1]!.body as Body).messages.at(-1)!.content).toMatch(/fitness_level/);
  });

  it('gives a permanent ProcessingError after garbage twice', async () => {
    fake = await chat(() => '{"exercises": "many"}');
    const error = await analyzeWithAI(input(), opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessingError);
    expect((error as ProcessingError).retryable).toBe(false);
    expect((error as ProcessingError).message).toMatch(/^AI analysis returned invalid output: /);
    expect(fake.requests).toHaveLength(2);
  });

  it('gives a permanent "nothing recognisable" error for an empty list', async () => {
    fake = await chat(() => answer());
    const error = await analyzeWithAI(input(), opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessingError);
    expect((error as ProcessingError).retryable).toBe(false);
    expect((error as ProcessingError).message).toMatch(/nothing recognisable/);
    expect(fake.requests).toHaveLength(1);
  });

  it('gives a retryable error after the SDK retries 500s', async () => {
    fake = await startFakeOpenAI({
      '/v1/chat/completions': () => ({ status: 500, headers: { 'retry-after-ms': '1' }, json: { error: { message: 'boom' } } }),
    });
    const error = await analyzeWithAI(input(), opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessingError);
    expect((error as ProcessingError).retryable).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });

  it('gives a retryable error when the connection drops', async () => {
    fake = await startFakeOpenAI({ '/v1/chat/completions': () => ({ drop: true }) });
    const error = await analyzeWithAI(input(), opts()).catch((e: unknown) => e);
    expect((error as ProcessingError).retryable).toBe(true);
  });

  it('gives a permanent error for a 400', async () => {
    fake = await startFakeOpenAI({
      '/v1/chat/completions': () => ({ status: 400, json: { error: { message: 'model does not support images' } } }),
    });
    const error = await analyzeWithAI(input(), opts()).catch((e: unknown) => e);
    expect((error as ProcessingError).retryable).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it('clamps out-of-range levels, confidence and times', async () => {
    fake = await chat(() =>
      answer(exercise({ fitness_level: 14, intensity: -3, confidence: 7, start_time: -2, end_time: 99 }), exercise({ fitness_level: '6.6', intensity: '3' })),
    );
    const [first, second] = await analyzeWithAI(input(), opts());
    expect(first).toMatchObject({ fitness_level: 10, intensity: 0, confidence: 1, start_time: 0, end_time: 12 });
    expect(second).toMatchObject({ fitness_level: 7, intensity: 3 });
  });

  it('requires a configured provider', async () => {
    await expect(analyzeWithAI(input(), { model: 'm', timeoutMs: 1000 })).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe('parseAnalysis', () => {
  it('accepts a bare array, mm:ss times, list strings and API-style names', () => {
    const parsed = parseAnalysis(
      JSON.stringify([
        { ...exercise({ start_time: '0:05', end_time: '1:02.5', primary_muscles: 'chest, triceps', how_to: ['Step one.', 'Step two.'] }), name: undefined, exercise_name: 'Push-up' },
      ]),
      120,
    );
    expect(parsed).toEqual({
      ok: true,
      exercises: [
        expect.objectContaining({ name: 'Push-up', start_time: 5, end_time: 62.5, primary_muscles: ['chest', 'triceps'], how_to: 'Step one.\nStep two.' }),
      ],
    });
  });

  it('fills optional fields with null and refuses empty spans', () => {
    const minimal = parseAnalysis(answer({ name: 'Plank', start_time: 1, end_time: 20, fitness_level: 3, intensity: 5 }), 30);
    expect(minimal.ok && minimal.exercises[0]).toMatchObject({ how_to: null, rounds_reps: null, primary_muscles: [], confidence: 0.5 });
    const empty = parseAnalysis(answer(exercise({ start_time: 40, end_time: 50 })), 30);
    expect(empty).toMatchObject({ ok: false, problem: expect.stringMatching(/end_time/) });
  });

  it('sorts by start time', () => {
    const parsed = parseAnalysis(answer(exercise({ name: 'B', start_time: 6, end_time: 9 }), exercise({ name: 'A', start_time: 0, end_time: 6 })), 9);
    expect(parsed.ok && parsed.exercises.map((e) => e.name)).toEqual(['A', 'B']);
  });
});

describe('sampleEvenly', () => {
  it.each([
    [[1, 2, 3], 5, [1, 2, 3]],
    [[1, 2, 3, 4, 5], 3, [1, 3, 5]],
    [[1, 2, 3, 4], 1, [1]],
    [[1, 2, 3], 0, []],
  ])('%j max %i -> %j', (items, max, expected) => {
    expect(sampleEvenly(items, max)).toEqual(expected);
  });
});
