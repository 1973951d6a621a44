import { unratedExercise, type AnalysisInput, type AnalyzedExercise } from './types.js';

/**
 * The fallback when no AI model is configured: it only reads what the poster wrote (caption list,
 * title) and the scene cuts, and never makes up instructions or benefits. Its results carry a low
 * confidence so they can be told apart and re-analysed later.
 */

const LIST_CONFIDENCE = 0.3;
const TITLE_CONFIDENCE = 0.2;
const FALLBACK_CONFIDENCE = 0.1;

export interface ListEntry {
  name: string;
  reps: string | null;
}

export function analyzeOffline(input: AnalysisInput): AnalyzedExercise[] {
  const duration = Number.isFinite(input.duration) && input.duration > 0 ? input.duration : 0;
  const entries = parseExerciseList(input.caption ?? '');
  const segments = segmentsOf(duration, input.sceneChanges);
  const whole = (entry: ListEntry, confidence: number) => [exercise(entry, 0, duration, confidence)];

  // A carousel caption usually lists one exercise per slide, in slide order.
  if (input.carouselCount > 1 && entries.length === input.carouselCount) {
    const entry = entries[input.carouselIndex - 1];
    if (entry) return whole(entry, LIST_CONFIDENCE);
  }
  if (entries.length > 1 && entries.length === segments.length) {
    return entries.map((entry, i) => exercise(entry, segments[i]![0], segments[i]![1], LIST_CONFIDENCE));
  }
  if (entries.length === 1) return whole(entries[0]!, LIST_CONFIDENCE);

  const title = cleanTitle(input.title);
  if (title) {
    const { reps, rest } = extractReps(title);
    const name = cleanName(rest) || title;
    return whole({ name, reps }, TITLE_CONFIDENCE);
  }
  // Several listed exercises we cannot place: the clip shows all of them, so say so.
  if (entries.length > 1) return whole({ name: truncate(entries.map((e) => e.name).join(' + '), 200), reps: null }, LIST_CONFIDENCE);
  const host = hostOf(input.sourceUrl);
  return whole({ name: host ? `Exercise from ${host}` : 'Untitled exercise', reps: null }, FALLBACK_CONFIDENCE);
}

function exercise(entry: ListEntry, start: number, end: number, confidence: number): AnalyzedExercise {
  return unratedExercise({ name: entry.name, start_time: round3(start), end_time: round3(end), rounds_reps: entry.reps, confidence });
}

/** [start, end] pairs cut at the scene changes that fall strictly inside the video. */
function segmentsOf(duration: number, sceneChanges: number[]): [number, number][] {
  const cuts = [...new Set(sceneChanges.filter((t) => Number.isFinite(t) && t > 0 && t < duration))].sort((a, b) => a - b);
  const bounds = [0, ...cuts, duration];
  return bounds.slice(1).map((end, i) => [bounds[i]!, end]);
}

// `[.):](?!\d)` keeps "2.5kg dumbbells" and "10:30 class" out of the list.
const NUMBERED = /^(?:(?:exercise|ex\.?|step|round)\s*)?(\d{1,2})\s*(?:[.):](?!\d)|\s[-–—]|[-–—]\s)\s*(.+)$/i;
const KEYCAP = /^(\d{1,2})\uFE0F?\u20E3\s*(.+)$/u;
const KEYCAP_TEN = /^\u{1F51F}\s*(.+)$/u;
const BULLET = /^(?:[-*•·▪▫◦‣⁃►▶➤→✅✔☑👉🔹🔸]\uFE0F?)\s*(.+)$/u;

/**
 * Exercise names from the first numbered list in a caption (`1. Squats`, `1) ...`, `1️⃣ ...`),
 * else from a bulleted list of at least two lines. Hashtag-only lines and hashtags are dropped;
 * sets and reps written next to a name (same line or the line below) go to `reps`.
 */
export function parseExerciseList(caption: string): ListEntry[] {
  const numbered: { n: number; entry: ListEntry }[] = [];
  const bulleted: ListEntry[] = [];
  let previous: ListEntry | null = null;

  for (const rawLine of caption.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line) {
      previous = null;
      continue;
    }
    let match: RegExpExecArray | null;
    let n: number | null = null;
    let text: string | null = null;
    if ((match = KEYCAP.exec(line))) [n, text] = [Number(match[1]), match[2]!];
    else if ((match = KEYCAP_TEN.exec(line))) [n, text] = [10, match[1]!];
    else if ((match = NUMBERED.exec(line))) [n, text] = [Number(match[1]), match[2]!];

    if (text !== null && n !== null) {
      const entry = toEntry(text);
      previous = entry;
      if (entry) numbered.push({ n, entry });
      continue;
    }
    if ((match = BULLET.exec(line))) {
      const entry = toEntry(match[1]!);
      previous = entry;
      if (entry) bulleted.push(entry);
      continue;
    }
    // "3 sets of 10" on the line under a name belongs to that name.
    const { reps, rest } = extractReps(line);
    if (previous && reps && !previous.reps && cleanName(rest) === '') previous.reps = reps;
    else previous = null;
  }

  if (numbered.length > 0) {
    // A second list restarting at 1 (e.g. a "finisher") is not part of the first.
    const first: ListEntry[] = [];
    for (const [i, item] of numbered.entries()) {
      if (i > 0 && item.n <= numbered[i - 1]!.n) break;
      first.push(item.entry);
    }
    return first;
  }
  return bulleted.length >= 2 ? bulleted : [];
}

function toEntry(text: string): ListEntry | null {
  const { reps, rest } = extractReps(stripHashtags(text));
  const name = cleanName(rest);
  return name ? { name: truncate(name, 200), reps } : null;
}

const SIDE = String.raw`(?:\s*(?:each|per|/)\s*(?:side|leg|arm))?`;
const UNIT = String.raw`(?:\s*(?:reps?|repetitions|sec(?:onds?)?|s|min(?:utes?)?)\b)?`;
const RANGE = String.raw`\d+(?:\s*[-–]\s*\d+)?`;
const REPS_PATTERNS = [
  new RegExp(String.raw`\b\d+\s*(?:sets?|rounds?)\s*(?:of|x|×)\s*${RANGE}${UNIT}${SIDE}`, 'i'),
  new RegExp(String.raw`\b\d+\s*[x×]\s*${RANGE}${UNIT}${SIDE}`, 'i'),
  new RegExp(String.raw`\b${RANGE}\s*(?:reps?|repetitions|sec(?:onds?)?|s|min(?:utes?)?)\b${SIDE}`, 'i'),
  new RegExp(String.raw`\b\d+\s*(?:sets?|rounds?)\b`, 'i'),
];

/** Finds "3x12", "3 sets of 10", "12 reps", "30 sec", "4 rounds" in `text`. */
export function extractReps(text: string): { reps: string | null; rest: string } {
  for (const pattern of REPS_PATTERNS) {
    const match = pattern.exec(text);
    if (match) {
      return {
        reps: match[0].trim().replace(/\s+/g, ' '),
        rest: `${text.slice(0, match.index)} ${text.slice(match.index + match[0].length)}`,
      };
    }
  }
  return { reps: null, rest: text };
}

function stripHashtags(text: string): string {
  return text.replace(/(^|\s)#[\p{L}\p{N}_]+/gu, ' ');
}

/** Drops emoji, brackets left empty by reps removal and separators at either end. */
function cleanName(text: string): string {
  return stripHashtags(text)
    .replace(/[\p{Extended_Pictographic}\uFE0F\u20E3\u200D]/gu, ' ')
    .replace(/\(\s*\)|\[\s*\]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s\-–—:|,.;*•()[\]]+|[\s\-–—:|,;*•(/[]+$/g, '')
    .trim();
}

/** Platform placeholder titles ("Video by coach_anna") name nobody's exercise. */
function cleanTitle(title: string | null): string | null {
  if (!title) return null;
  if (/^(video|reel|post|photo|tiktok)s?\s+by\b/i.test(title.trim())) return null;
  let text = cleanName(title);
  if (!/\s/.test(text) && /[-_]/.test(text)) text = text.replace(/[-_]+/g, ' ').trim();
  return text ? truncate(text, 200) : null;
}

function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.replace(/^www\./, '') || null;
  } catch {
    return null;
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
