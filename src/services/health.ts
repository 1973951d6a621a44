import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import type { Config } from '../config.js';
import { errorMessage, UnavailableError } from '../errors.js';
import { countLibrary } from '../database/index.js';
import { outboxStats, type OutboxStats } from '../database/outbox.js';
import { countJobsByStatus } from '../jobs/index.js';
import type { CollectionInfo } from '../vectors/index.js';
import type { AppContext } from './context.js';

/**
 * Live checks behind the health routes: each dependency is asked, not assumed. A check that
 * does not answer within the timeout counts as down.
 */
export interface HealthReport {
  database: { ok: boolean; exercises: number; error: string | null };
  vector: { ok: boolean; reason: string | null; info: CollectionInfo | null };
  ai: { configured: boolean; description: string };
  /** Free space where the database and the clips are written, against MIN_FREE_DISK_MB. */
  disk: { ok: boolean; reason: string | null };
  /** The job queue's table answers. */
  jobs: { ok: boolean; pending: number; reason: string | null };
  /** ffmpeg and ffprobe run (the pipeline needs both). */
  tools: { ok: boolean; reason: string | null };
  /** Changes waiting for the vector store (null when the database did not answer). */
  outbox: OutboxStats | null;
}

const CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

/** A tool's answer is reused this long: /health may be polled often, a process start is not free. */
const TOOL_CHECK_TTL_MS = 60_000;
const TOOL_TIMEOUT_MS = 10_000;
const toolChecks = new Map<string, { at: number; result: Promise<string | null> }>();

/** Runs `binary -version`; resolves to null when it runs, else the reason it does not. */
function toolFails(binary: string): Promise<string | null> {
  const cached = toolChecks.get(binary);
  if (cached && Date.now() - cached.at < TOOL_CHECK_TTL_MS) return cached.result;
  const result = new Promise<string | null>((resolve) => {
    execFile(binary, ['-version'], { timeout: TOOL_TIMEOUT_MS }, (error) =>
      resolve(error ? String((error as NodeJS.ErrnoException).code ?? (error.killed ? 'timed out' : 'failed')) : null),
    );
  });
  toolChecks.set(binary, { at: Date.now(), result });
  return result;
}

/** ffmpeg and ffprobe as configured; the reason names the setting to fix. */
export async function checkTools(media: Pick<Config['media'], 'ffmpegPath' | 'ffprobePath'>): Promise<HealthReport['tools']> {
  const [ffmpeg, ffprobe] = await Promise.all([toolFails(media.ffmpegPath), toolFails(media.ffprobePath)]);
  if (ffmpeg) return { ok: false, reason: `ffmpeg does not run (${ffmpeg}): check FFMPEG_PATH` };
  if (ffprobe) return { ok: false, reason: `ffprobe does not run (${ffprobe}): check FFPROBE_PATH` };
  return { ok: true, reason: null };
}

async function checkDisk(config: Config): Promise<HealthReport['disk']> {
  const minBytes = config.minFreeDiskMb * 1024 * 1024;
  const places = config.databaseUrl ? [config.clipsDir] : [config.dataDir, config.clipsDir];
  for (const place of new Set(places)) {
    try {
      const stats = await fs.statfs(place);
      const free = stats.bavail * stats.bsize;
      if (free < minBytes) {
        return { ok: false, reason: `low disk space: ${Math.floor(free / 1024 / 1024)} MB free where ${place === config.clipsDir ? 'clips' : 'data'} are written (MIN_FREE_DISK_MB ${config.minFreeDiskMb})` };
      }
    } catch (error) {
      return { ok: false, reason: `cannot check free space: ${(error as NodeJS.ErrnoException).code ?? 'error'}` };
    }
  }
  return { ok: true, reason: null };
}

/**
 * On the embedded database one connection serves every query, so a count can wait behind an
 * import transaction, and many health checks at once would queue many counts. There, each check
 * shares the one question in flight for its key, and while a transaction holds the session it
 * answers at once with the last answer it got within RECENT_MS (the ping has just shown the
 * database alive); a check that began between two transactions stops waiting as soon as the next
 * one starts. With the session free it waits for the fresh answer, so a failure shows at once.
 * Elsewhere every check simply asks.
 */
const RECENT_MS = 5000;
/** How often a waiting check looks whether a transaction has taken the session meanwhile. */
const BUSY_POLL_MS = 2;
interface Recent {
  known?: { at: number; value: unknown };
  asking?: Promise<unknown>;
}
const recentAnswers = new WeakMap<AppContext, Map<string, Recent>>();

function recent<T>(ctx: AppContext, key: string, ask: () => Promise<T>): Promise<T> {
  if (!ctx.mirror?.current()) return ask();
  let answers = recentAnswers.get(ctx);
  if (!answers) recentAnswers.set(ctx, (answers = new Map()));
  let state = answers.get(key);
  if (!state) answers.set(key, (state = {}));
  const entry = state;
  const fresh = (entry.asking ??= ask()
    .then(
      (value) => {
        entry.known = { at: Date.now(), value };
        return value;
      },
      (error: unknown) => {
        entry.known = undefined;
        throw error;
      },
    )
    .finally(() => (entry.asking = undefined))) as Promise<T>;
  const known = entry.known;
  if (!known || Date.now() - known.at > RECENT_MS) return fresh;
  const stale = known.value as T;
  // The question's answer (or failure) then reaches the next check instead.
  fresh.catch(() => {});
  if (ctx.db.busy?.()) return Promise.resolve(stale);
  const started = Date.now();
  return new Promise<T>((resolve, reject) => {
    // Bounded like the check itself, so a database that never answers leaves no poll behind.
    const poll = setInterval(() => {
      const late = Date.now() - started > CHECK_TIMEOUT_MS;
      if (!late && !ctx.db.busy?.()) return;
      clearInterval(poll);
      if (late) reject(new Error(`${key} did not answer within ${CHECK_TIMEOUT_MS} ms`));
      else resolve(stale);
    }, BUSY_POLL_MS);
    poll.unref();
    fresh.then(
      (value) => {
        clearInterval(poll);
        resolve(value);
      },
      (error: unknown) => {
        clearInterval(poll);
        reject(error);
      },
    );
  });
}

/** Embedded: the thread answers between statements and the mirror holds the count, so no wait behind a write. */
async function checkDatabase(ctx: AppContext): Promise<HealthReport['database']> {
  try {
    const snap = ctx.mirror?.current();
    if (snap && ctx.db.ping) {
      await withTimeout(ctx.db.ping(), 'database');
      return { ok: true, exercises: snap.size, error: null };
    }
    const counts = await withTimeout(countLibrary(ctx.db), 'database');
    return { ok: true, exercises: counts.exercises, error: null };
  } catch (error) {
    return { ok: false, exercises: 0, error: (error as Error).message };
  }
}

async function checkJobs(ctx: AppContext): Promise<HealthReport['jobs']> {
  try {
    const counts = await withTimeout(
      recent(ctx, 'jobs', () => countJobsByStatus(ctx.db)),
      'job queue',
    );
    return { ok: true, pending: counts.pending, reason: null };
  } catch (error) {
    return { ok: false, pending: 0, reason: `job queue unavailable: ${errorMessage(error)}` };
  }
}

export async function checkHealth(ctx: AppContext, options: { vector?: boolean } = {}): Promise<HealthReport> {
  const status = ctx.index.status();
  const wantVector = options.vector !== false && status.available;
  // Every check at once: checks that wait on the database (see recent) would otherwise add up.
  const [database, info, outbox, disk, jobs, tools] = await Promise.all([
    checkDatabase(ctx),
    wantVector
      ? withTimeout(recent(ctx, 'vector', () => ctx.index.info()), 'vector index').then(
          (value) => ({ value, error: null }),
          (error: unknown) => ({ value: null, error: errorMessage(error) }),
        )
      : null,
    withTimeout(recent(ctx, 'outbox', () => outboxStats(ctx.db)), 'database').catch(() => null),
    checkDisk(ctx.config),
    checkJobs(ctx),
    checkTools(ctx.config.media),
  ]);
  const vector: HealthReport['vector'] = { ok: false, reason: null, info: null };
  if (options.vector !== false) {
    if (!status.available) vector.reason = status.reason ?? 'unavailable';
    else if (!database.ok) vector.reason = 'database unavailable';
    else if (info?.error !== null && info?.error !== undefined) vector.reason = info.error;
    else if (info) {
      vector.info = info.value;
      vector.ok = true;
      if (status.needsReindex) vector.reason = status.message ?? 'needs reindex';
    }
  }
  const { ai } = ctx.config;
  const configured = Boolean(ai.analysisModel && (ai.baseUrl || ai.apiKey));
  return {
    database,
    vector,
    disk,
    jobs,
    tools,
    outbox: database.ok ? outbox : null,
    ai: {
      configured,
      description: configured ? `analysis model ${ai.analysisModel}` : 'no AI model configured: offline analyzer and stories in use',
    },
  };
}

/** A worker without ffmpeg would fail every job: refuse to start instead, naming the setting. */
export async function assertToolsRun(config: Config): Promise<void> {
  const tools = await checkTools(config.media);
  if (!tools.ok) throw new UnavailableError(tools.reason!, { retryable: false });
}
