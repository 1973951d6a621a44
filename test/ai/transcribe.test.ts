import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProcessingError, UnavailableError } from '../../src/errors.js';
import { transcribeAudio } from '../../src/ai/transcribe.js';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/openai-server.js';

let dir: string;
let audio: string;
let fake: FakeOpenAI;
const retryFast = { 'retry-after-ms': '1' };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fb-transcribe-'));
  audio = path.join(dir, 'audio.mp3');
  await writeFile(audio, Buffer.from('ID3-fake-audio-bytes'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await fake?.close();
});

const opts = () => ({ baseUrl: fake.baseUrl, apiKey: 'test-key', model: 'whisper-1', timeoutMs: 5000 });

describe('transcribeAudio', () => {
  it('sends the file as multipart with verbose_json and returns segments', async () => {
    fake = await startFakeOpenAI({
      '/v1/audio/transcriptions': () => ({
        json: {
          text: ' First squats. Then lunges. ',
          segments: [
            { id: 0, start: 0, end: 2.5, text: ' First squats.' },
            { id: 1, start: 2.5, end: 5.1, text: ' Then lunges.' },
            { id: 2, start: 5.1, end: 5.2, text: '   ' },
          ],
        },
      }),
    });
    const result = await transcribeAudio(audio, opts());
    expect(result).toEqual({
      text: 'First squats. Then lunges.',
      segments: [
        { start: 0, end: 2.5, text: 'First squats.' },
        { start: 2.5, end: 5.1, text: 'Then lunges.' },
      ],
    });
    const request = fake.requests[0]!;
    expect(request.headers['content-type']).toMatch(/multipart\/form-data/);
    expect(request.headers.authorization).toBe('Bearer test-key');
    const body = (request.body as Buffer).toString('latin1');
    expect(body).toContain('name="model"');
    expect(body).toContain('whisper-1');
    expect(body).toContain('verbose_json');
    expect(body).toContain('filename="audio.mp3"');
    expect(body).toContain('ID3-fake-audio-bytes');
  });

  it('falls back to plain text when segments are absent', async () => {
    fake = await startFakeOpenAI({ '/v1/audio/transcriptions': () => ({ json: { text: 'just text' } }) });
    expect(await transcribeAudio(audio, opts())).toEqual({ text: 'just text', segments: [] });
  });

  it('asks again with json when the model refuses verbose_json', async () => {
    fake = await startFakeOpenAI({
      '/v1/audio/transcriptions': (_req, i) =>
        i === 0
          ? { status: 400, json: { error: { message: "response_format 'verbose_json' is not compatible with model", type: 'invalid_request_error' } } }
          : { json: { text: 'plain json text' } },
    });
    expect(await transcribeAudio(audio, opts())).toEqual({ text: 'plain json text', segments: [] });
    expect((fake.requests[1]!.body as Buffer).toString('latin1')).toMatch(/name="response_format"\r\n\r\njson\r\n/);
  });

  it('gives a retryable error after the SDK retries 5xx', async () => {
    fake = await startFakeOpenAI({
      '/v1/audio/transcriptions': () => ({ status: 503, headers: retryFast, json: { error: { message: 'overloaded' } } }),
    });
    const error = await transcribeAudio(audio, opts()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessingError);
    expect((error as ProcessingError).retryable).toBe(true);
    expect(fake.requests).toHaveLength(3);
  });

  it('gives a retryable error on 429 and a permanent one on 401', async () => {
    fake = await startFakeOpenAI({
      '/v1/audio/transcriptions': () => ({ status: 429, headers: retryFast, json: { error: { message: 'slow down' } } }),
    });
    const rateLimited = await transcribeAudio(audio, opts()).catch((e: unknown) => e);
    expect((rateLimited as ProcessingError).retryable).toBe(true);
    fake.on('/v1/audio/transcriptions', () => ({ status: 401, json: { error: { message: 'bad key' } } }));
    const unauthorized = await transcribeAudio(audio, opts()).catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(ProcessingError);
    expect((unauthorized as ProcessingError).retryable).toBe(false);
    expect((unauthorized as ProcessingError).message).toMatch(/OPENAI_API_KEY/);
  });

  it('gives a retryable error on timeouts', async () => {
    fake = await startFakeOpenAI({ '/v1/audio/transcriptions': () => ({ delayMs: 2000, json: { text: 'late' } }) });
    const error = await transcribeAudio(audio, { ...opts(), timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessingError);
    expect((error as ProcessingError).retryable).toBe(true);
    expect((error as ProcessingError).message).toMatch(/timed out/);
  });

  it('requires a configured provider', async () => {
    await expect(transcribeAudio(audio, { model: 'whisper-1', timeoutMs: 1000 })).rejects.toBeInstanceOf(UnavailableError);
  });
});
