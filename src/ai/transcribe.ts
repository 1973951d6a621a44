import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { toFile } from 'openai';
import { ProcessingError } from '../errors.js';
import { aiFailure, createAIClient, rejectsOption, type AIClientOptions } from './client.js';

export interface Transcript {
  text: string;
  segments: { start: number; end: number; text: string }[];
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
    if (!rejectsOption(error, /response_format|verbose_json/i)) {
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
