import { ValidationError } from '../errors.js';

/**
 * Turns the exercise segments an analyzer returned into the clips we will actually cut: valid,
 * inside the video, non-overlapping, neither too short nor too long.
 *
 * Model output is untrusted: times can be NaN, negative, past the end, reversed, duplicated or
 * overlapping. The plan is deterministic for the same input so re-processing a video gives the
 * same clips.
 */

export interface SegmentInput {
  name: string;
  start: number;
  end: number;
  /** 0-1; missing counts as 0, so any stated confidence beats none. */
  confidence?: number | null;
}

export interface ClipPlanOptions {
  videoDuration: number;
  minClipSeconds: number;
  maxClipSeconds: number;
}

export type PlannedClip<T extends SegmentInput> = T & { start: number; end: number };

interface Working<T> {
  seg: T;
  /** Integer milliseconds, so trims and comparisons have no floating-point drift. */
  start: number;
  end: number;
  confidence: number;
  key: string;
  index: number;
}

export function planClips<T extends SegmentInput>(segments: readonly T[], opts: ClipPlanOptions): PlannedClip<T>[] {
  const { videoDuration, minClipSeconds, maxClipSeconds } = opts;
  if (!Number.isFinite(videoDuration) || videoDuration < 0) {
    throw new ValidationError('videoDuration', 'must be a finite number >= 0');
  }
  if (!Number.isFinite(minClipSeconds) || minClipSeconds < 0) {
    throw new ValidationError('minClipSeconds', 'must be a finite number >= 0');
  }
  if (!Number.isFinite(maxClipSeconds) || maxClipSeconds < minClipSeconds || maxClipSeconds <= 0) {
    throw new ValidationError('maxClipSeconds', 'must be a positive number >= minClipSeconds');
  }
  const durationMs = toMs(videoDuration);
  // A zero-length clip is never useful, whatever the configured minimum.
  const minMs = Math.max(1, toMs(minClipSeconds));
  const maxMs = toMs(maxClipSeconds);

  let items: Working<T>[] = [];
  segments.forEach((seg, index) => {
    if (!Number.isFinite(seg.start) || !Number.isFinite(seg.end)) return;
    const start = clamp(toMs(seg.start), 0, durationMs);
    const end = clamp(toMs(seg.end), 0, durationMs);
    if (end <= start) return;
    const c = seg.confidence;
    const confidence = typeof c === 'number' && Number.isFinite(c) ? clamp(c, 0, 1) : 0;
    items.push({ seg, start, end, confidence, key: nameKey(seg.name), index });
  });

  items = mergeDuplicates(items);
  // Short segments go before overlap resolution: one that will be dropped anyway must not cost
  // a good neighbour its time.
  items = items.filter((w) => w.end - w.start >= minMs);
  // Over-long segments keep their start: models place the start of an exercise reliably, while
  // a late end usually means the segment ran on into rest, talk or the next exercise. Trimming
  // before overlap resolution frees the cut-off tail for a neighbour.
  for (const w of items) if (w.end - w.start > maxMs) w.end = w.start + maxMs;
  items = resolveOverlaps(items, minMs);

  items.sort(byPosition);
  return items.map((w) => ({ ...w.seg, start: w.start / 1000, end: w.end / 1000 }));
}

/** Case-folded, whitespace-collapsed: "Push  Up" and "push up" are the same exercise. */
export function nameKey(name: string): string {
  return String(name ?? '')
    .normalize('NFKC')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
}

function toMs(seconds: number): number {
  return Math.round(seconds * 1000);
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

function byPosition<T>(a: Working<T>, b: Working<T>): number {
  return a.start - b.start || a.end - b.end || cmp(a.key, b.key) || a.index - b.index;
}

/** Better first: higher confidence, then longer, then earlier, then name, then input order. */
function byRank<T>(a: Working<T>, b: Working<T>): number {
  return (
    b.confidence - a.confidence ||
    b.end - b.start - (a.end - a.start) ||
    a.start - b.start ||
    cmp(a.key, b.key) ||
    a.index - b.index
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Same exercise reported twice with overlapping or touching times (models often split one set
 * around a cut or a pause): one segment spanning both, carrying the fields of the more
 * confident report.
 */
function mergeDuplicates<T>(items: Working<T>[]): Working<T>[] {
  const groups = new Map<string, Working<T>[]>();
  for (const w of items) {
    const group = groups.get(w.key);
    if (group) group.push(w);
    else groups.set(w.key, [w]);
  }
  const out: Working<T>[] = [];
  for (const group of groups.values()) {
    group.sort(byPosition);
    let current: Working<T> | undefined;
    for (const w of group) {
      if (current && w.start <= current.end) {
        const best = byRank(current, w) <= 0 ? current : w;
        current = { ...best, start: current.start, end: Math.max(current.end, w.end) };
      } else {
        if (current) out.push(current);
        current = { ...w };
      }
    }
    if (current) out.push(current);
  }
  return out;
}

/**
 * Different exercises cannot share time: one clip would show the other exercise. Segments are
 * accepted best first; each later one keeps only the longest part not covered by anything
 * already accepted, if that part still reaches the minimum, and is dropped otherwise. The best
 * of any overlapping group is therefore always kept.
 */
function resolveOverlaps<T>(items: Working<T>[], minMs: number): Working<T>[] {
  const accepted: Working<T>[] = [];
  for (const w of [...items].sort(byRank)) {
    const piece = longestFreePiece(w.start, w.end, accepted);
    if (piece && piece.end - piece.start >= minMs) accepted.push({ ...w, start: piece.start, end: piece.end });
  }
  return accepted;
}

function longestFreePiece(
  start: number,
  end: number,
  taken: readonly { start: number; end: number }[],
): { start: number; end: number } | null {
  let pieces = [{ start, end }];
  for (const t of taken) {
    const next: { start: number; end: number }[] = [];
    for (const p of pieces) {
      if (t.end <= p.start || t.start >= p.end) {
        next.push(p);
        continue;
      }
      if (t.start > p.start) next.push({ start: p.start, end: t.start });
      if (t.end < p.end) next.push({ start: t.end, end: p.end });
    }
    pieces = next;
  }
  let best: { start: number; end: number } | null = null;
  // Strictly longer wins, so on a tie the earlier piece is kept.
  for (const p of pieces) if (!best || p.end - p.start > best.end - best.start) best = p;
  return best;
}
