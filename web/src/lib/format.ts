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
  services: { database: string; qdrant: string; ai_services: string };
  details: Record<string, string | null>;
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
  if (extra.pending !== undefined) {
    lines.push({
      label: 'Videos waiting',
      ok: true,
      text: extra.pending === 0 ? 'None: new videos start right away.' : `${extra.pending} ${extra.pending === 1 ? 'video is' : 'videos are'} waiting to be processed.`,
    });
  }
  return lines;
}
