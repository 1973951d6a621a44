/**
 * Subtitle parsing (WebVTT and SRT) into plain timed cues for the analysis prompt.
 *
 * Subtitles come from platforms (YouTube auto-captions, uploaded SRTs) and are often sloppy, so
 * the parser is lenient: anything it cannot understand is skipped, it never throws.
 */

export interface Cue {
  /** Seconds from the start of the video. */
  start: number;
  end: number;
  /** Plain text: tags stripped, entities decoded, lines joined with single spaces. */
  text: string;
}

export type SubtitleFormat = 'vtt' | 'srt';

/**
 * Consecutive cues closer than this are treated as one continuous caption stream for the
 * rolling-duplicate collapse. YouTube's rolling cues touch exactly; a little slack covers
 * rounding in re-timed files without merging genuinely repeated phrases said later.
 */
const ROLLING_GAP_SECONDS = 0.5;

export function detectSubtitleFormat(text: string): SubtitleFormat {
  return /^WEBVTT(?:[ \t]|$)/.test(normalizeNewlines(stripBom(text)).split('\n', 1)[0] ?? '') ? 'vtt' : 'srt';
}

export function parseSubtitles(text: string): Cue[] {
  const source = normalizeNewlines(stripBom(text));
  const format = detectSubtitleFormat(source);
  const raw = parseRawCues(source.split('\n'), format);
  return collapseRollingDuplicates(raw);
}

/** One line per cue, `[12.5-15.0] text`, the form the analysis prompt expects. */
export function cuesToTranscript(cues: readonly Cue[]): string {
  const lines: string[] = [];
  for (const cue of cues) {
    const text = cue.text.replace(/\s+/g, ' ').trim();
    if (!text) continue;
    lines.push(`[${cue.start.toFixed(1)}-${cue.end.toFixed(1)}] ${text}`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

interface RawCue {
  start: number;
  end: number;
  /** Cleaned, non-empty lines; kept apart so rolling duplicates can be matched line by line. */
  lines: string[];
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

const TIMING = /^\s*(\S+)\s*-->\s*(\S+)(?:\s.*)?$/;

function parseTiming(line: string): { start: number; end: number } | null {
  const match = TIMING.exec(line);
  if (!match) return null;
  const start = parseTimestamp(match[1]!);
  const end = parseTimestamp(match[2]!);
  if (start === null || end === null || end < start) return null;
  return { start, end };
}

/**
 * `HH:MM:SS.mmm`, `MM:SS.mmm`, SRT's `HH:MM:SS,mmm`. Either separator is accepted in both
 * formats because files converted between the two often keep the wrong one.
 */
export function parseTimestamp(value: string): number | null {
  const match = /^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$/.exec(value.trim());
  if (!match) return null;
  const hours = match[1] === undefined ? 0 : Number(match[1]);
  const minutes = Number(match[2]);
  const seconds = Number(match[3]);
  if (minutes >= 60 || seconds >= 60) return null;
  // Digits after the separator are a decimal fraction, so `1.5` is 1.500 s, not 1.005 s.
  const millis = match[4] === undefined ? 0 : Math.round(Number(`0.${match[4]}`) * 1000);
  return ((hours * 3600 + minutes * 60 + seconds) * 1000 + millis) / 1000;
}

/**
 * A line-based state machine rather than splitting on blank lines: YouTube cues contain
 * whitespace-only lines inside a cue, and hand-made SRTs sometimes lose the blank line between
 * cues, so a timing line always starts a new cue wherever it appears.
 */
function parseRawCues(lines: string[], format: SubtitleFormat): RawCue[] {
  const cues: RawCue[] = [];
  let current: RawCue | null = null;
  /** Inside the WEBVTT header or a NOTE/STYLE/REGION block: ignore until a blank line. */
  let skipping = format === 'vtt';
  /** Text lines seen outside a cue; a cue identifier if a timing line follows. */
  let pending: string[] = [];

  const finish = () => {
    if (current && current.lines.length > 0) cues.push(current);
    current = null;
  };

  for (const line of lines) {
    if (line === '') {
      finish();
      skipping = false;
      pending = [];
      continue;
    }
    if (skipping) continue;

    const timing = line.includes('-->') ? parseTiming(line) : null;
    if (timing) {
      if (current) {
        // No blank line before this cue: an all-digit last line is the SRT counter, not text.
        const cur: RawCue = current;
        const last = cur.lines[cur.lines.length - 1];
        if (last !== undefined && /^\d+$/.test(last)) cur.lines.pop();
        finish();
      }
      current = { start: timing.start, end: timing.end, lines: [] };
      pending = [];
      continue;
    }
    if (line.includes('-->')) {
      // A broken timing line: drop the whole cue rather than glue its text onto the previous one.
      finish();
      skipping = true;
      continue;
    }

    if (current) {
      const cleaned = cleanText(line);
      if (cleaned) current.lines.push(cleaned);
      continue;
    }
    if (format === 'vtt' && pending.length === 0 && /^(?:NOTE|STYLE|REGION)(?:[ \t]|$)/.test(line)) {
      skipping = true;
      continue;
    }
    // Identifiers and stray text outside any cue carry no timing, so they are dropped.
    pending.push(line);
  }
  finish();
  return cues;
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  lrm: '',
  rlm: '',
};

function decodeEntities(text: string): string {
  // One pass, so `&amp;lt;` becomes the literal `&lt;` and is not decoded twice.
  return text.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]+);/gi, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

function cleanText(line: string): string {
  return decodeEntities(
    line
      // VTT tags (<c.x>, <v Name>, <i>, <lang en>), karaoke timestamps (<00:01.000>) and SRT <font>.
      .replace(/<\/?(?:[a-z][^<>]*|\d[\d:.]*)>/gi, '')
      // ASS-style override blocks some SRT exporters leave in ({\an8}).
      .replace(/\{\\[^}]*\}/g, ''),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * YouTube auto-captions roll: each cue repeats the previous cue's last line before adding a new
 * one, and 10 ms "freeze" cues repeat it alone. Keeping them would triple the transcript and
 * mislead the model about when words were said, so repeated leading lines are removed and a cue
 * with nothing new only stretches the previous cue.
 */
function collapseRollingDuplicates(raw: RawCue[]): Cue[] {
  const out: Cue[] = [];
  let previous: RawCue | null = null;
  for (const cue of raw) {
    let lines = cue.lines;
    if (previous && cue.start - previous.end <= ROLLING_GAP_SECONDS) {
      const overlap = longestPrefixSuffix(previous.lines, lines);
      lines = lines.slice(overlap);
      if (lines.length === 0) {
        const last = out[out.length - 1];
        if (last && cue.end > last.end) last.end = cue.end;
        previous = cue;
        continue;
      }
    }
    out.push({ start: cue.start, end: cue.end, text: lines.join(' ') });
    previous = cue;
  }
  return out;
}

/** Length of the longest prefix of `next` that equals a suffix of `prev`. */
function longestPrefixSuffix(prev: readonly string[], next: readonly string[]): number {
  for (let n = Math.min(prev.length, next.length); n > 0; n--) {
    let equal = true;
    for (let i = 0; i < n; i++) {
      if (prev[prev.length - n + i] !== next[i]) {
        equal = false;
        break;
      }
    }
    if (equal) return n;
  }
  return 0;
}
