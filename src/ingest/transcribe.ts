import { readFile } from 'node:fs/promises';
import path from 'node:path';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, toFile } from 'openai';
import { ProcessingError, UnavailableError } from '../errors.js';

export interface AIClientOptions {
  baseUrl?: string;
  apiKey?: string;
  timeoutMs: number;
}

export interface Transcript {
  text: string;
  segments: { start: number; end: number; text: string }[];
}

/**
 * One client per call: settings come from the caller so tests and per-job overrides stay simple,
 * and constructing the client is cheap. The SDK retries connection errors, 408/409/429 and 5xx
 * twice with backoff before we see them.
 */
export function createAIClient(opts: AIClientOptions): OpenAI {
  if (!opts.apiKey && !opts.baseUrl) {
    throw new UnavailableError('No AI provider configured (set OPENAI_API_KEY or OPENAI_BASE_URL)', { retryable: false });
  }
  return new OpenAI({
    // Self-hosted OpenAI-compatible servers often need no key, but the SDK insists on one.
    apiKey: opts.apiKey ?? 'unused',
    baseURL: opts.baseUrl,
    timeout: opts.timeoutMs,
    maxRetries: 2,
  });
}

/** Maps SDK failures to ProcessingError: transient ones (network, timeouts, 408, 409, 429, 5xx) are retryable. */
export function aiFailure(error: unknown, what: string): Error {
  if (error instanceof ProcessingError || error instanceof UnavailableError) return error;
  if (error instanceof APIUserAbortError) return new ProcessingError(`${what} cancelled`, { cause: error, retryable: true });
  if (error instanceof APIConnectionTimeoutError) {
    return new ProcessingError(`${what} failed: AI provider timed out`, { cause: error, retryable: true });
  }
  if (error instanceof APIConnectionError) {
    return new ProcessingError(`${what} failed: cannot reach AI provider (${error.message})`, { cause: error, retryable: true });
  }
  if (error instanceof APIError) {
    const status = error.status ?? 0;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const hint = status === 401 || status === 403 ? ' (check OPENAI_API_KEY)' : status === 404 ? ' (check the model name and OPENAI_BASE_URL)' : '';
    return new ProcessingError(`${what} failed: AI provider answered HTTP ${status}: ${error.message}${hint}`, {
      cause: error,
      retryable,
    });
  }
  return new ProcessingError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/**
 * Speech to text with segment timestamps (so spoken exercise names can be placed in time).
 * Models that only speak `json` (gpt-4o-transcribe and friends) refuse `verbose_json` with a
 * 400; we then ask again for plain text and return it without segments.
 */
export async function transcribeAudio(
  audioPath: string,
  opts: AIClientOptions & { model: string },
): Promise<Transcript> {
  const client = createAIClient(opts);
  // A Buffer-backed file can be re-sent by the SDK's retries; a stream could not.
  const file = await toFile(await readFile(audioPath), path.basename(audioPath));
  let response: unknown;
  try {
    response = await client.audio.transcriptions.create({ file, model: opts.model, response_format: 'verbose_json' });
  } catch (error) {
    if (!(error instanceof APIError && error.status === 400 && /response_format|verbose_json/i.test(error.message))) {
      throw aiFailure(error, 'Transcription');
    }
    try {
      response = await client.audio.transcriptions.create({ file, model: opts.model, response_format: 'json' });
    } catch (retryError) {
      throw aiFailure(retryError, 'Transcription');
    }
  }
  return parseTranscription(response);
}

function parseTranscription(response: unknown): Transcript {
  if (typeof response === 'string') return { text: response.trim(), segments: [] };
  const body = (response ?? {}) as { text?: unknown; segments?: unknown };
  const text = typeof body.text === 'string' ? body.text.trim() : '';
  const segments: Transcript['segments'] = [];
  if (Array.isArray(body.segments)) {
    for (const s of body.segments as { start?: unknown; end?: unknown; text?: unknown }[]) {
      if (typeof s?.start !== 'number' || typeof s.end !== 'number' || typeof s.text !== 'string') continue;
      const segmentText = s.text.trim();
      if (segmentText) segments.push({ start: s.start, end: Math.max(s.start, s.end), text: segmentText });
    }
  }
  if (!text && segments.length === 0 && typeof body.text !== 'string') {
    throw new ProcessingError('Transcription failed: AI provider returned no text', { retryable: false });
  }
  return { text: text || segments.map((s) => s.text).join(' '), segments };
}
