import type { Job } from '../services/jobs.js';

/**
 * The bookkeeping behind job event streams: how many are open (per client and in total), and
 * one reader per watched job. Every stream of a job is fed from the same poll, so the
 * database sees one read per job and tick however many clients watch it.
 */
export interface JobStreamLimits {
  pollMs: number;
  perClient: number;
  total: number;
}

export type Admission = { release: () => void } | { refused: 'client' | 'total' };

type Listener = (next: Job | Error) => void;

interface Watched {
  listeners: Set<Listener>;
  timer: NodeJS.Timeout | undefined;
}

export class JobStreams {
  private readonly perClient = new Map<string, number>();
  private openCount = 0;
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly read: (id: string) => Promise<Job>,
    private readonly limits: JobStreamLimits,
  ) {}

  get open(): number {
    return this.openCount;
  }

  /** Reserves a stream slot for `client`; `release` (idempotent) gives it back. */
  admit(client: string): Admission {
    const mine = this.perClient.get(client) ?? 0;
    if (mine >= this.limits.perClient) return { refused: 'client' };
    if (this.openCount >= this.limits.total) return { refused: 'total' };
    this.perClient.set(client, mine + 1);
    this.openCount++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.openCount--;
        const left = (this.perClient.get(client) ?? 1) - 1;
        if (left > 0) this.perClient.set(client, left);
        else this.perClient.delete(client);
      },
    };
  }

  /** Calls `listener` with the job (or the read's error) every tick until the returned stop runs. */
  watch(id: string, listener: Listener): () => void {
    let entry = this.watched.get(id);
    if (!entry) {
      entry = { listeners: new Set(), timer: undefined };
      this.watched.set(id, entry);
      this.schedule(id, entry);
    }
    entry.listeners.add(listener);
    const watched = entry;
    return () => {
      watched.listeners.delete(listener);
      if (watched.listeners.size === 0 && this.watched.get(id) === watched) {
        if (watched.timer) clearTimeout(watched.timer);
        this.watched.delete(id);
      }
    };
  }

  private schedule(id: string, entry: Watched): void {
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.read(id).then(
        (job) => this.deliver(id, entry, job),
        (error: unknown) => this.deliver(id, entry, error instanceof Error ? error : new Error(String(error))),
      );
    }, this.limits.pollMs);
  }

  private deliver(id: string, entry: Watched, next: Job | Error): void {
    for (const listener of [...entry.listeners]) listener(next);
    // The next read waits for this one, so a slow database is never asked twice at once.
    if (entry.listeners.size > 0 && this.watched.get(id) === entry) this.schedule(id, entry);
  }
}
