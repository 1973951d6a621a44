import { logger } from '../logger.js';
import type { Db } from './db.js';
import { readSnapshotRows, type LibrarySnapshot, type SnapshotRow } from './snapshot.js';
import type { Exercise } from '../domain/index.js';

/** The channel migration 0007's triggers notify: an exercise id, or '*' for "everything changed". */
export const EXERCISE_CHANGED_CHANNEL = 'exercise_changed';
const EVERYTHING = '*';
/** Ids per reload query: one statement between two import transactions, not a long hold. */
const RELOAD_BATCH = 256;

/** A snapshot with the lookups the read paths need beyond `get`. */
export interface MirrorSnapshot extends LibrarySnapshot {
  readonly size: number;
  /** Rows whose normalized_url or url equals one of the given texts, in `rows` order. */
  byUrl(normalized: string, url: string): Exercise[];
}

export interface LibraryMirror {
  /**
   * A snapshot that holds every change committed before this call (the given ids, or the whole
   * library), waiting for reloads already due; null when the mirror is off (too large, or a reload
   * failed) and the caller reads the database.
   */
  read(ids?: readonly string[]): Promise<MirrorSnapshot | null>;
  /** The last snapshot installed, without waiting: counts for /health. Null when off. */
  current(): MirrorSnapshot | null;
  close(): void;
}

/** Readers share the mirrored objects: a caller that edited one would edit the library. */
function frozen(row: SnapshotRow): SnapshotRow {
  Object.freeze(row.exercise.primary_muscles);
  Object.freeze(row.exercise.secondary_muscles);
  Object.freeze(row.exercise);
  return row;
}

function snapshotOf(version: number, byId: ReadonlyMap<string, SnapshotRow>): MirrorSnapshot {
  let rows: SnapshotRow[] | undefined;
  let urls: Map<string, Exercise[]> | undefined;
  const ordered = () =>
    // Built on first use: an import installs many snapshots that nobody scans. Plain string order
    // of lower-case UUIDs is the C collation readSnapshotRows sorts by.
    (rows ??= [...byId.values()].sort((a, b) => (a.exercise.id < b.exercise.id ? -1 : a.exercise.id > b.exercise.id ? 1 : 0)));
  return {
    version,
    size: byId.size,
    get rows() {
      return ordered();
    },
    get: (id) => byId.get(id.toLowerCase()),
    byUrl(normalized, url) {
      if (!urls) {
        urls = new Map();
        for (const { exercise } of ordered()) {
          for (const key of new Set([`n:${exercise.normalized_url}`, ...(exercise.url === null ? [] : [`u:${exercise.url}`])])) {
            const list = urls.get(key) ?? [];
            list.push(exercise);
            urls.set(key, list);
          }
        }
      }
      const found = new Map<string, Exercise>();
      for (const e of [...(urls.get(`n:${normalized}`) ?? []), ...(urls.get(`u:${url}`) ?? [])]) found.set(e.id, e);
      return [...found.values()];
    },
  };
}

/**
 * The library in memory for a process that owns its database (the embedded default). It listens
 * for migration 0007's notifications, which PostgreSQL sends only at commit and which reach this
 * thread before the writer's promise settles: an id is marked stale at once and reloaded after
 * the commit, never before. Each id remembers the notification that last marked it, so a reload
 * that read a row before a later commit does not clear the later mark.
 */
class Mirror implements LibraryMirror {
  private snap: MirrorSnapshot | null = null;
  /** The rows of `snap`, never changed once installed (the next snapshot gets a copy). */
  private byId: ReadonlyMap<string, SnapshotRow> = new Map();
  private off = false;
  private clock = 0;
  /** Stale ids and the clock value of their latest notification. */
  private readonly stale = new Map<string, number>();
  /** Clock value of a pending "reload everything", 0 when none. */
  private everything = 0;
  private draining: Promise<void> | null = null;
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly maxRows: number,
  ) {}

  notify(payload: string): void {
    if (this.off) return;
    this.clock++;
    if (payload === EVERYTHING) this.everything = this.clock;
    else this.stale.set(payload.toLowerCase(), this.clock);
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (!this.off && (this.everything || this.stale.size)) {
        try {
          await this.reloadOnce();
        } catch (error) {
          this.disable('a reload failed', error);
        }
        for (const wake of this.waiting) wake();
        this.waiting.clear();
      }
    } finally {
      // Cleared in the same turn as the last check, so a notification after it starts a new drain.
      this.draining = null;
    }
  }

  private async reloadOnce(): Promise<void> {
    const start = this.clock;
    const full = this.everything !== 0;
    const ids = full ? undefined : [...this.stale.keys()].slice(0, RELOAD_BATCH);
    const rows = await readSnapshotRows(this.db, ids);
    if (this.off) return;
    const next = new Map(full ? [] : this.byId);
    if (ids) for (const id of ids) next.delete(id);
    for (const row of rows) next.set(row.exercise.id, frozen(row));
    // A row read here may predate a commit notified since `start`: it stays stale and is read again.
    const read = new Set(ids);
    for (const [id, at] of this.stale) if (at <= start && (full || read.has(id))) this.stale.delete(id);
    if (this.everything <= start) this.everything = 0;
    if (next.size > this.maxRows) {
      this.disable(`the library holds more than ${this.maxRows} rows (LIBRARY_MIRROR_MAX_ROWS)`);
      return;
    }
    this.byId = next;
    this.snap = snapshotOf((this.snap?.version ?? 0) + 1, next);
  }

  private disable(reason: string | null, error?: unknown): void {
    if (this.off) return;
    this.off = true;
    this.snap = null;
    this.byId = new Map();
    this.stale.clear();
    for (const wake of this.waiting) wake();
    this.waiting.clear();
    if (reason) logger.warn({ reason, ...(error ? { err: error } : {}) }, 'library mirror off: reads go to the database');
  }

  private staleBefore(target: number, ids: readonly string[] | undefined): boolean {
    if (this.everything && this.everything <= target) return true;
    if (!ids) {
      for (const at of this.stale.values()) if (at <= target) return true;
      return false;
    }
    return ids.some((id) => (this.stale.get(id.toLowerCase()) ?? Infinity) <= target);
  }

  async read(ids?: readonly string[]): Promise<MirrorSnapshot | null> {
    const target = this.clock;
    while (!this.off && this.staleBefore(target, ids)) await new Promise<void>((resolve) => this.waiting.add(resolve));
    return this.off ? null : this.snap;
  }

  current(): MirrorSnapshot | null {
    return this.off ? null : this.snap;
  }

  close(): void {
    this.disable(null);
  }
}

/**
 * Starts the mirror when the database can tell this process about commits (embedded PGlite):
 * listens first, then loads every row, so no commit falls between the two. A server shared by
 * several processes gets no mirror: reads go to the database, which is always current.
 */
export async function openLibraryMirror(db: Db, options: { maxRows: number }): Promise<LibraryMirror | null> {
  if (!db.listen || options.maxRows <= 0) return null;
  const mirror = new Mirror(db, options.maxRows);
  await db.listen(EXERCISE_CHANGED_CHANNEL, (payload) => mirror.notify(payload));
  mirror.notify(EVERYTHING);
  await mirror.read();
  return mirror;
}
