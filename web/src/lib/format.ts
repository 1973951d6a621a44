/** Small formatting rules for people: durations, levels, and /health in plain words. */
export function formatSeconds(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  const total = Math.round(value);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return m ? `${m}:${String(s).padStart(2, '0')}` : `${s}s`;
}

export function levelWord(level: number | null | undefined): string {
  if (level === null || level === undefined) return 'not rated';
  if (level <= 3) return `beginner (${level}/10)`;
  if (level <= 6) return `intermediate (${level}/10)`;
  return `advanced (${level}/10)`;
}

export interface HealthInput {
  status: string;
  services: { database: string; qdrant: string; ai_services: string; disk?: string; jobs?: string; ffmpeg?: string };
  details: Record<string, string | null>;
  vector_outbox?: { pending: number; oldest_pending_seconds: number } | null;
}

export interface StatusLine {
  label: string;
  ok: boolean;
  text: string;
}

export function describeHealth(h: HealthInput, extra: { pending?: number; model?: string } = {}): StatusLine[] {
  const lines: StatusLine[] = [
    {
      label: 'Library database',
      ok: h.services.database === 'connected',
      text: h.services.database === 'connected' ? 'Working: your exercises and routines are stored safely.' : `Not reachable: ${h.details.database ?? 'no answer'}. Nothing can be saved or found until it is back.`,
    },
    {
      label: 'Search index',
      ok: h.services.qdrant === 'connected',
      text: h.services.qdrant === 'connected'
        ? 'Working: searching in plain words uses meaning as well as words.'
        : `Limited: ${h.details.vector ?? 'not available'}. Search still matches words.`,
    },
    {
      label: 'Understanding text',
      ok: true,
      text: extra.model ? `Uses the "${extra.model}" model to compare what you type with exercises.` : 'Compares what you type with exercises using the built-in model.',
    },
    {
      label: 'AI video analysis',
      ok: h.services.ai_services === 'available',
      text: h.services.ai_services === 'available'
        ? `On: ${h.details.ai ?? 'a model is configured'}.`
        : 'Off (works offline): exercises are named from captions and lists, or from the times you give.',
    },
  ];
  if (h.services.ffmpeg !== undefined) {
    const ok = h.services.ffmpeg === 'available';
    lines.push({
      label: 'Video tools',
      ok,
      text: ok ? 'Working: videos can be cut into clips.' : `Missing: ${h.details.ffmpeg ?? 'ffmpeg does not run'}. New videos cannot be processed.`,
    });
  }
  if (h.services.disk !== undefined) {
    const ok = h.services.disk === 'ok';
    lines.push({ label: 'Disk space', ok, text: ok ? 'Enough room for new clips.' : `Running low: ${h.details.disk ?? 'little free space'}. Free some space before adding videos.` });
  }
  if (h.vector_outbox && h.vector_outbox.pending > 0) {
    lines.push({
      label: 'Search index updates',
      ok: h.vector_outbox.oldest_pending_seconds < 300,
      text: `${h.vector_outbox.pending} ${h.vector_outbox.pending === 1 ? 'change is' : 'changes are'} waiting to reach the search index (oldest ${Math.round(h.vector_outbox.oldest_pending_seconds)} s).`,
    });
  }
  if (extra.pending !== undefined) {
    lines.push({
      label: 'Videos waiting',
      ok: true,
      text: extra.pending === 0 ? 'None: new videos start right away.' : `${extra.pending} ${extra.pending === 1 ? 'video is' : 'videos are'} waiting to be processed.`,
    });
  }
  return lines;
}

/**
 * A URL that may become a link, or null: only http(s). A stored `javascript:` or `data:` URL
 * (a restored backup, an edit) is shown as text, never followed.
 */
export function linkableUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}
