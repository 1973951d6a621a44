import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { API_KEY_MIN_LENGTH, CLIP_SWEEP_GRACE_SECONDS_DEFAULT, MAX_QUERY_LENGTH, RESTORE_MAX_MB_DEFAULT } from './limits.js';

/**
 * Every setting the service reads, in one place. README's configuration table mirrors this file:
 * keep them in step. Values come from the environment only; defaults give the embedded,
 * keyless, offline set-up.
 */
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const databaseUrl = optionalString.refine((v) => {
  if (v === undefined) return true;
  try {
    const url = new URL(v);
    return ['postgres:', 'postgresql:'].includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}, 'must be a postgres:// or postgresql:// URL with a host (e.g. postgres://user:password@host:5432/database)');

/** An optional http(s) URL (an endpoint we call): anything else is refused at start-up, not at the first call. */
const httpUrl = optionalString.refine((v) => {
  if (v === undefined) return true;
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, 'must be an http:// or https:// URL');

/** The names proxy-addr (Fastify's trustProxy) knows besides addresses and CIDRs. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

/** `TRUST_PROXY`: unset or false = no proxy; true; a number of proxy hops; or proxy addresses/CIDRs. */
const trustProxy = optionalString
  .refine(
    (v) => v === undefined || /^(\d+|true|false|yes|no|on|off)$/i.test(v) || v.split(',').every((entry) => isProxyAddress(entry.trim())),
    'must be true, false, a number of proxies, or comma-separated IP addresses or CIDRs (e.g. 10.0.0.5,192.168.0.0/16)',
  )
  .transform((v): boolean | number | string => {
    if (v === undefined || ['false', '0', 'no', 'off'].includes(v.toLowerCase())) return false;
    if (['true', 'yes', 'on'].includes(v.toLowerCase())) return true;
    return /^\d+$/.test(v) ? Number(v) : v;
  });

const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * A listen address judged by its form alone (no resolver lookup at start-up): an IP address, or
 * a host name. Four dotted numbers are an IPv4 address or nothing (`999.1.1.1` is refused).
 */
function isListenHost(host: string): boolean {
  if (isIP(host)) return true;
  if (/^[\d.]+$/.test(host) || host.includes(':')) return false;
  return host.length <= 253 && host.split('.').every((label) => HOST_LABEL.test(label));
}

const listenHost = optionalString.refine((v) => v === undefined || isListenHost(v), 'must be an IP address or a host name (e.g. 127.0.0.1, 0.0.0.0, ::)');

/** A port as given: empty is a mistake (a template left blank), not "use the default". */
const listenPort = z
  .string()
  .optional()
  .refine((v) => v === undefined || /^\d{1,5}$/.test(v.trim()) && Number(v) <= 65_535, 'must be a port number from 0 to 65535');

const schema = z.object({
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  LIBRARY_MIRROR_MAX_ROWS: int(0, 10_000_000).default(20_000),
  CLIPS_DIR: optionalString,
  HOST: listenHost,
  API_HOST: listenHost,
  PORT: listenPort,
  API_PORT: listenPort,
  API_KEY: optionalString.refine(
    (v) => v === undefined || v.length >= API_KEY_MIN_LENGTH,
    `must be at least ${API_KEY_MIN_LENGTH} characters (e.g. openssl rand -hex 32)`,
  ),
  CORS_ORIGINS: optionalString,
  ALLOWED_HOSTS: optionalString,
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  RATE_LIMIT_PER_MINUTE: int(1, 100_000).default(30),
  SEARCH_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(120),
  SEARCH_MAX_QUERY_CHARS: int(10, MAX_QUERY_LENGTH).default(500),
  TRUST_PROXY: trustProxy,
  EMBEDDING_PROVIDER: z.enum(['offline', 'openai', 'local']).default('offline'),
  EMBEDDING_MODEL: optionalString,
  EMBEDDING_DIMENSIONS: z.coerce.number().int().min(1).max(16_000).optional(),
  EMBEDDING_MODEL_PATH: optionalString,
  EMBEDDING_BASE_URL: httpUrl,
  EMBEDDING_BATCH_SIZE: int(1, 2048).default(64),
  OPENAI_BASE_URL: httpUrl,
  OPENAI_API_KEY: optionalString,
  AI_TIMEOUT_MS: int(1000, 600_000).default(60_000),
  ANALYSIS_MODEL: optionalString,
  STORY_MODEL: optionalString,
  TRANSCRIPTION_MODEL: optionalString,
  YTDLP_PATH: optionalString,
  FFMPEG_PATH: z.string().default('ffmpeg'),
  FFPROBE_PATH: z.string().default('ffprobe'),
  ALLOW_PRIVATE_URLS: bool.default(false),
  MAX_DOWNLOAD_BYTES: int(1024, Number.MAX_SAFE_INTEGER).default(500 * 1024 * 1024),
  DOWNLOAD_TIMEOUT_MS: int(1000, 3_600_000).default(120_000),
  MAX_VIDEO_SECONDS: num(1, 86_400).default(1800),
  MIN_CLIP_SECONDS: num(0.1, 3600).default(1),
  MAX_CLIP_SECONDS: num(1, 86_400).default(600),
  FFMPEG_TIMEOUT_MS: int(1000, 3_600_000).default(300_000),
  MAX_KEY_FRAMES: int(1, 200).default(24),
  RUN_WORKER: bool.default(true),
  WORKER_CONCURRENCY: int(1, 64).default(1),
  JOB_MAX_ATTEMPTS: int(1, 100).default(3),
  JOB_LEASE_SECONDS: int(1, 86_400).default(60),
  JOB_RETENTION_DAYS: num(0, 3650).default(30),
  SYNC_PROCESS_TIMEOUT_SECONDS: int(1, 3600).default(300),
  MIN_FREE_DISK_MB: int(0, 100_000_000).default(512),
  CLIP_SWEEP_GRACE_SECONDS: int(0, 30 * 86_400).default(CLIP_SWEEP_GRACE_SECONDS_DEFAULT),
  RESTORE_MAX_MB: int(1, 100_000_000).default(RESTORE_MAX_MB_DEFAULT),
  LOG_LEVEL: optionalString.pipe(z.enum(LOG_LEVELS).optional()),
  VECTOR_STORE: z.enum(['pgvector', 'qdrant']).default('pgvector'),
  QDRANT_URL: httpUrl,
  QDRANT_API_KEY: optionalString,
  QDRANT_COLLECTION: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, _ and - only').default('exercises'),
  QDRANT_TIMEOUT_MS: int(100, 300_000).default(10_000),
  OUTBOX_BATCH_SIZE: int(1, 1000).default(64),
  OUTBOX_LEASE_SECONDS: int(1, 3600).default(30),
  OUTBOX_POLL_MS: int(10, 60_000).default(500),
});

export interface Config {
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** Embedded database only: above this many exercises reads go to the database, not memory (0: never mirror). */
  libraryMirrorMaxRows: number;
  clipsDir: string;
  tempDir: string;
  host: string;
  port: number;
  apiKey: string | undefined;
  corsOrigins: string[];
  /** Without API_KEY, Host names served besides loopback names and IP literals (`*`: any). */
  allowedHosts: string[];
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  searchRateLimitPerMinute: number;
  searchMaxQueryChars: number;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For to believe for the client address. */
  trustProxy: boolean | number | string;
  /** /health reports degraded below this much free space in DATA_DIR or CLIPS_DIR. */
  minFreeDiskMb: number;
  /** Unreferenced clip files and stale hidden work files in CLIPS_DIR older than this are swept. */
  clipSweepGraceSeconds: number;
  /** A restore whose archive expands beyond this many bytes is refused. */
  restoreMaxBytes: number;
  embedding: {
    provider: 'offline' | 'openai' | 'local';
    model: string | undefined;
    dimensions: number | undefined;
    modelPath: string | undefined;
    baseUrl: string | undefined;
    apiKey: string | undefined;
    batchSize: number;
  };
  ai: {
    baseUrl: string | undefined;
    apiKey: string | undefined;
    timeoutMs: number;
    analysisModel: string | undefined;
    storyModel: string | undefined;
    transcriptionModel: string | undefined;
  };
  media: {
    ytdlpPath: string | undefined;
    ffmpegPath: string;
    ffprobePath: string;
    allowPrivateUrls: boolean;
    maxDownloadBytes: number;
    downloadTimeoutMs: number;
    maxVideoSeconds: number;
    minClipSeconds: number;
    maxClipSeconds: number;
    ffmpegTimeoutMs: number;
    maxKeyFrames: number;
  };
  vectors: {
    store: 'pgvector' | 'qdrant';
    qdrantUrl: string | undefined;
    qdrantApiKey: string | undefined;
    qdrantCollection: string;
    qdrantTimeoutMs: number;
    outboxBatchSize: number;
    outboxLeaseSeconds: number;
    outboxPollMs: number;
  };
  jobs: {
    runWorker: boolean;
    concurrency: number;
    maxAttempts: number;
    leaseSeconds: number;
    retentionDays: number;
    syncTimeoutSeconds: number;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(String(issue.path.join('.')), `invalid setting: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.MIN_CLIP_SECONDS > e.MAX_CLIP_SECONDS) {
    throw new ValidationError('MIN_CLIP_SECONDS', `invalid setting: ${e.MIN_CLIP_SECONDS} is above MAX_CLIP_SECONDS (${e.MAX_CLIP_SECONDS})`);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  const port = Number(e.PORT ?? e.API_PORT ?? '8000');
  if (e.VECTOR_STORE === 'qdrant' && !e.QDRANT_URL) throw new ValidationError('QDRANT_URL', 'invalid setting: required when VECTOR_STORE=qdrant');
  // A push still in flight when its lease ends could land after the next relay's newer push.
  if (e.OUTBOX_LEASE_SECONDS * 1000 < 2 * e.QDRANT_TIMEOUT_MS) {
    throw new ValidationError('OUTBOX_LEASE_SECONDS', 'invalid setting: must be at least twice QDRANT_TIMEOUT_MS');
  }
  const corsOrigins = (e.CORS_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const allowedHosts = (e.ALLOWED_HOSTS ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase().replace(/\.$/, ''))
    .filter(Boolean);
  return {
    dataDir,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    libraryMirrorMaxRows: e.LIBRARY_MIRROR_MAX_ROWS,
    clipsDir: path.resolve(e.CLIPS_DIR ?? path.join(dataDir, 'clips')),
    tempDir: path.join(dataDir, 'tmp'),
    host: e.HOST ?? e.API_HOST ?? '127.0.0.1',
    port,
    apiKey: e.API_KEY,
    corsOrigins,
    allowedHosts,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    searchRateLimitPerMinute: e.SEARCH_RATE_LIMIT_PER_MINUTE,
    searchMaxQueryChars: e.SEARCH_MAX_QUERY_CHARS,
    trustProxy: e.TRUST_PROXY,
    minFreeDiskMb: e.MIN_FREE_DISK_MB,
    clipSweepGraceSeconds: e.CLIP_SWEEP_GRACE_SECONDS,
    restoreMaxBytes: e.RESTORE_MAX_MB * 1024 * 1024,
    embedding: {
      provider: e.EMBEDDING_PROVIDER,
      model: e.EMBEDDING_MODEL,
      dimensions: e.EMBEDDING_DIMENSIONS,
      modelPath: e.EMBEDDING_MODEL_PATH,
      baseUrl: e.EMBEDDING_BASE_URL ?? e.OPENAI_BASE_URL,
      apiKey: e.OPENAI_API_KEY,
      batchSize: e.EMBEDDING_BATCH_SIZE,
    },
    ai: {
      baseUrl: e.OPENAI_BASE_URL,
      apiKey: e.OPENAI_API_KEY,
      timeoutMs: e.AI_TIMEOUT_MS,
      analysisModel: e.ANALYSIS_MODEL,
      storyModel: e.STORY_MODEL ?? e.ANALYSIS_MODEL,
      transcriptionModel: e.TRANSCRIPTION_MODEL,
    },
    media: {
      ytdlpPath: e.YTDLP_PATH,
      ffmpegPath: e.FFMPEG_PATH,
      ffprobePath: e.FFPROBE_PATH,
      allowPrivateUrls: e.ALLOW_PRIVATE_URLS,
      maxDownloadBytes: e.MAX_DOWNLOAD_BYTES,
      downloadTimeoutMs: e.DOWNLOAD_TIMEOUT_MS,
      maxVideoSeconds: e.MAX_VIDEO_SECONDS,
      minClipSeconds: e.MIN_CLIP_SECONDS,
      maxClipSeconds: e.MAX_CLIP_SECONDS,
      ffmpegTimeoutMs: e.FFMPEG_TIMEOUT_MS,
      maxKeyFrames: e.MAX_KEY_FRAMES,
    },
    vectors: {
      store: e.VECTOR_STORE,
      qdrantUrl: e.QDRANT_URL,
      qdrantApiKey: e.QDRANT_API_KEY,
      qdrantCollection: e.QDRANT_COLLECTION,
      qdrantTimeoutMs: e.QDRANT_TIMEOUT_MS,
      outboxBatchSize: e.OUTBOX_BATCH_SIZE,
      outboxLeaseSeconds: e.OUTBOX_LEASE_SECONDS,
      outboxPollMs: e.OUTBOX_POLL_MS,
    },
    jobs: {
      runWorker: e.RUN_WORKER,
      concurrency: e.WORKER_CONCURRENCY,
      maxAttempts: e.JOB_MAX_ATTEMPTS,
      leaseSeconds: e.JOB_LEASE_SECONDS,
      retentionDays: e.JOB_RETENTION_DAYS,
      syncTimeoutSeconds: e.SYNC_PROCESS_TIMEOUT_SECONDS,
    },
  };
}
