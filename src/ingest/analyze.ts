import { readFile } from 'node:fs/promises';
import type { ChatCompletionContentPart } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { askForJson, createAIClient, type Checked } from '../ai/index.js';
import { ProcessingError } from '../errors.js';
import { AnalyzedExerciseSchema, type AnalysisInput, type AnalyzedExercise } from './types.js';

export interface AnalyzeOptions {
  baseUrl?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  maxFrames?: number;
}

const DEFAULT_MAX_FRAMES = 24;
const MAX_CAPTION_CHARS = 4000;
const MAX_TRANSCRIPT_CHARS = 12_000;

export const SYSTEM_PROMPT = `You are a certified strength and conditioning coach who catalogues exercise videos.
You receive one video from social media or the web: its caption, title, hashtags, position in a carousel post, duration, the times where the picture changes scene, a transcript of the speech, and key frames with their timestamps.

Identify every distinct exercise that is demonstrated in THIS video and when it is shown. Rules:
- One entry per exercise actually demonstrated on screen; a caption may list exercises for other slides of a carousel, so use the slide position and the frames to decide which ones this video shows.
- start_time and end_time are seconds from the start of this video, within [0, duration], end_time > start_time. Use scene changes and frames to place the boundaries; if the whole video shows one exercise, use 0 and the duration.
- Use the common English name of the exercise (e.g. "Bulgarian split squat"), not the caption's slang.
- Leave a field null (or an empty list) when the video gives no basis for it; do not invent reps.
- fitness_level is the skill/fitness needed (0 = anyone, 10 = elite athlete); intensity is how demanding it is (0 = very light, 10 = maximal). Both integers.
- confidence (0 to 1) is how sure you are that the name and times are right.

Answer with ONLY a JSON object of exactly this shape, no prose, no code fences:
{"exercises": [{
  "name": string,
  "start_time": number,
  "end_time": number,
  "how_to": string | null,           // 1-4 short sentences on execution and form cues
  "benefits": string | null,         // what it trains or improves
  "counteracts": string | null,      // problems it helps against, e.g. "desk posture, weak glutes"
  "fitness_level": integer 0-10,
  "intensity": integer 0-10,
  "rounds_reps": string | null,      // e.g. "3 x 12" when the video or caption says so
  "category": string | null,         // one of strength, cardio, mobility, flexibility, plyometrics, balance, core, warm-up, rehab
  "primary_muscles": string[],
  "secondary_muscles": string[],
  "equipment": string | null,        // e.g. "dumbbells"; "none" for bodyweight
  "force": string | null,            // push, pull, static or null
  "mechanic": string | null,         // compound, isolation or null
  "confidence": number 0-1
}]}
If no exercise is shown, answer {"exercises": []}.`;

/**
 * Asks a vision-capable chat model for the exercises in one media item. The answer is validated;
 * a broken answer gets one second chance with the problem spelled out, because models mostly fix
 * a missing field or stray prose when told.
 */
export async function analyzeWithAI(input: AnalysisInput, opts: AnalyzeOptions): Promise<AnalyzedExercise[]> {
  const answer = await askForJson(createAIClient(opts), {
    model: opts.model,
    what: 'AI analysis',
    temperature: 0.2,
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: await buildUserContent(input, opts.maxFrames ?? DEFAULT_MAX_FRAMES) },
    ],
    check: (content): Checked<AnalyzedExercise[]> => {
      const parsed = parseAnalysis(content, input.duration);
      return parsed.ok ? { ok: true, value: parsed.exercises } : parsed;
    },
    retryPrompt: (problem) =>
      `Your answer could not be used: ${problem}. Reply again with ONLY the JSON object {"exercises": [...]} in exactly the shape described, every field present.`,
  });
  if (!answer.ok) throw new ProcessingError(`AI analysis returned invalid output: ${answer.problem}`, { retryable: false });
  if (answer.value.length === 0) {
    throw new ProcessingError('AI analysis found nothing recognisable as an exercise in this video', { retryable: false });
  }
  return answer.value;
}

async function buildUserContent(input: AnalysisInput, maxFrames: number): Promise<ChatCompletionContentPart[]> {
  const lines: string[] = [];
  if (input.title) lines.push(`Title: ${input.title}`);
  if (input.caption) lines.push(`Caption:\n${truncate(input.caption, MAX_CAPTION_CHARS)}`);
  if (input.tags.length) lines.push(`Tags: ${input.tags.map((t) => (t.startsWith('#') ? t : `#${t}`)).join(' ')}`);
  if (input.carouselCount > 1) {
    lines.push(
      `Carousel position: slide ${input.carouselIndex} of ${input.carouselCount} (the caption may describe all slides; report only what this slide shows)`,
    );
  }
  lines.push(`Duration: ${fmt(input.duration)} s`);
  lines.push(
    input.sceneChanges.length
      ? `Scene changes at (s): ${input.sceneChanges.map(fmt).join(', ')}`
      : 'Scene changes: none detected',
  );
  lines.push(input.transcript ? `Transcript:\n${truncate(input.transcript, MAX_TRANSCRIPT_CHARS)}` : 'Transcript: none (no speech or not transcribed)');

  const parts: ChatCompletionContentPart[] = [{ type: 'text', text: lines.join('\n\n') }];
  const frames = sampleEvenly(
    [...input.frames].sort((a, b) => a.time - b.time),
    Math.max(0, maxFrames),
  );
  if (frames.length) parts.push({ type: 'text', text: `Key frames (${frames.length}):` });
  for (const frame of frames) {
    let data: Buffer;
    try {
      data = await readFile(frame.path);
    } catch {
      continue; // a frame the extractor failed to write is no reason to lose the analysis
    }
    parts.push({ type: 'text', text: `Frame at ${fmt(frame.time)} s:` });
    parts.push({ type: 'image_url', image_url: { url: `data:image/jpeg;base64,${data.toString('base64')}`, detail: 'low' } });
  }
  return parts;
}

/** Picks `max` items spread over the whole list, always keeping the first and the last. */
export function sampleEvenly<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  if (max <= 0) return [];
  if (max === 1) return [items[0]!];
  const picked: T[] = [];
  for (let i = 0; i < max; i++) picked.push(items[Math.round((i * (items.length - 1)) / (max - 1))]!);
  return picked;
}

function fmt(seconds: number): string {
  return Number.isFinite(seconds) ? String(Math.round(seconds * 100) / 100) : '?';
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [truncated]`;
}

// ---------------------------------------------------------------------------------------------
// Answer parsing: forgiving about spelling (strings for numbers, "1:05" times, lists as text),
// strict about meaning.

/** "75", 75, "1:15", "00:01:15", "75s" -> seconds. */
function toSeconds(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().replace(/\s*s(ec(onds?)?)?$/i, '');
  if (/^\d+(:\d{1,2}){1,2}(\.\d+)?$/.test(text)) {
    return text.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  }
  return text === '' ? value : Number(text);
}

const toNumber = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value);

const level = z.preprocess(toNumber, z.number().finite()).transform((n) => Math.min(10, Math.max(0, Math.round(n))));

const text = z.preprocess((value) => {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(String).join('\n');
  if (typeof value === 'number') return String(value);
  return value;
}, z.string().nullable()).transform((s) => (s === null || s.trim() === '' ? null : s.trim()));

const list = z
  .preprocess((value) => {
    if (value === undefined || value === null) return [];
    if (typeof value === 'string') return value.split(/[,;]/);
    return value;
  }, z.array(z.string()))
  .transform((items) => items.map((s) => s.trim()).filter(Boolean));

const RawExercise = z.preprocess(
  (value) => {
    // Models sometimes echo the API's field names.
    if (value && typeof value === 'object' && !('name' in value) && 'exercise_name' in value) {
      return { ...value, name: (value as { exercise_name: unknown }).exercise_name };
    }
    return value;
  },
  z.object({
    name: z.string().trim().min(1),
    start_time: z.preprocess(toSeconds, z.number().finite()),
    end_time: z.preprocess(toSeconds, z.number().finite()),
    how_to: text.optional().default(null),
    benefits: text.optional().default(null),
    counteracts: text.optional().default(null),
    fitness_level: level,
    intensity: level,
    rounds_reps: text.optional().default(null),
    category: text.optional().default(null),
    primary_muscles: list.optional().default([]),
    secondary_muscles: list.optional().default([]),
    equipment: text.optional().default(null),
    force: text.optional().default(null),
    mechanic: text.optional().default(null),
    confidence: z
      .preprocess(toNumber, z.number().finite())
      .optional()
      .default(0.5)
      .transform((n) => Math.min(1, Math.max(0, n))),
  }),
);

const RawAnswer = z.union([z.object({ exercises: z.array(z.unknown()) }), z.array(z.unknown())]);

export type ParsedAnalysis = { ok: true; exercises: AnalyzedExercise[] } | { ok: false; problem: string };

/** Turns the model's text into validated exercises, or a short description of what is wrong with it. */
export function parseAnalysis(content: string, duration: number): ParsedAnalysis {
  const body = stripFences(content);
  if (!body) return { ok: false, problem: 'the answer was empty' };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, problem: `the answer is not valid JSON (${(error as Error).message})` };
  }
  const answer = RawAnswer.safeParse(json);
  if (!answer.success) return { ok: false, problem: 'expected an object with an "exercises" array' };
  const rawList = Array.isArray(answer.data) ? answer.data : answer.data.exercises;

  const exercises: AnalyzedExercise[] = [];
  const limit = Number.isFinite(duration) && duration > 0 ? duration : Infinity;
  for (const [i, raw] of rawList.entries()) {
    const parsed = RawExercise.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { ok: false, problem: `exercises[${i}].${issue.path.join('.') || '?'}: ${issue.message}` };
    }
    const e = parsed.data;
    const start = round3(Math.min(limit, Math.max(0, e.start_time)));
    const end = round3(Math.min(limit, Math.max(0, e.end_time)));
    if (!(end > start)) {
      return {
        ok: false,
        problem: `exercises[${i}] ("${e.name}") has end_time ${e.end_time} not after start_time ${e.start_time} within the video's ${fmt(duration)} s`,
      };
    }
    const final = AnalyzedExerciseSchema.safeParse({ ...e, start_time: start, end_time: end });
    if (!final.success) {
      const issue = final.error.issues[0]!;
      return { ok: false, problem: `exercises[${i}].${issue.path.join('.')}: ${issue.message}` };
    }
    exercises.push(final.data);
  }
  exercises.sort((a, b) => a.start_time - b.start_time);
  return { ok: true, exercises };
}

function stripFences(content: string): string {
  const trimmed = content.trim();
  const fenced = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(trimmed);
  if (fenced) return fenced[1]!.trim();
  // Prose around a bare object: keep the outermost braces.
  const first = trimmed.indexOf('{');
  const last = trimmed.lastIndexOf('}');
  if (first > 0 && last > first && !trimmed.startsWith('[')) return trimmed.slice(first, last + 1);
  return trimmed;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
