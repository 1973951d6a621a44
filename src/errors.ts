import type { z } from 'zod';

/**
 * One error family for the whole service. Each error knows its HTTP status so the API maps
 * errors in exactly one place; the CLI maps the same classes to exit codes.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  /** Stable machine-readable code, written to the logs next to the message (api/errors.ts, the worker, the CLI). */
  abstract readonly code: string;
  /** Whether a background job hitting this error should be retried later. */
  readonly retryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that breaks a rule. `field` names the offending field (dotted path) for clients. */
export class ValidationError extends AppError {
  readonly status = 422;
  readonly code = 'validation_error';
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${message}`, options);
  }
}

/**
 * A background job that failed on what its submitter sent (its cause was a 4xx): a caller that
 * waited for it gets that status and message, not a 500 that reads as the server's fault.
 */
export class JobInputError extends AppError {
  readonly code = 'job_input';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(
    readonly entity: 'Exercise' | 'Routine' | 'Job' | 'Clip' | 'Routine entry' | 'Workout' | 'Workout exercise' | 'Set',
    readonly id?: string,
  ) {
    super(`${entity} not found`);
  }
}

/** A request that is well-formed but refused as a matter of policy (unsupported platform, private address). */
export class BadRequestError extends AppError {
  readonly status = 400;
  readonly code: string = 'bad_request';
}

export class UnsupportedUrlError extends BadRequestError {
  override readonly code = 'unsupported_url';
}

/**
 * A URL that leads to a private, loopback or otherwise non-public address: a user's mistake (or
 * an attack), never a server fault. `via` says where it was found, so the message names it.
 */
export class PrivateAddressError extends BadRequestError {
  override readonly code = 'private_address';
  constructor(
    readonly host: string,
    readonly via: 'url' | 'redirect' | 'connect',
  ) {
    const what =
      via === 'redirect'
        ? `The URL redirects to a private address (host ${host})`
        : via === 'connect'
          ? `The URL's host ${host} resolved to a private address when connecting`
          : `URL host ${host} resolves to a private, loopback or otherwise non-public address`;
    super(`${what}; refusing to fetch it (set ALLOW_PRIVATE_URLS=true to allow)`);
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code: string = 'conflict';
}

/** A dependency (database, vector index, AI provider) is down or not configured. */
export class UnavailableError extends AppError {
  readonly status = 503;
  readonly code: string = 'unavailable';
  override readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options);
    this.retryable = options?.retryable ?? true;
  }
}

/** Processing failed for a reason that will not go away by retrying (not a video, nothing recognisable). */
export class ProcessingError extends AppError {
  readonly status = 500;
  readonly code = 'processing_failed';
  override readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options);
    this.retryable = options?.retryable ?? false;
  }
}

/**
 * A job's worker no longer owns it: its lease expired and another worker claimed it, or it was
 * finished elsewhere. The job's output must not be committed by this worker.
 */
export class LeaseLostError extends ConflictError {
  override readonly code = 'lease_lost';
  constructor(readonly jobId: string) {
    super(`Job ${jobId} is no longer owned by this worker (its lease expired or it was cancelled)`);
  }
}

/** Someone asked to cancel the job; the contract reports it as failed with the error `Cancelled`. */
export class CancelledError extends ConflictError {
  override readonly code = 'cancelled';
  constructor() {
    super('Cancelled');
  }
}

/** The process is stopping: a running job is handed back to the queue, not failed. */
export class ShutdownError extends UnavailableError {
  override readonly code = 'shutdown';
  constructor() {
    super('The worker is shutting down');
  }
}

/**
 * Parses with a zod schema, turning the first issue into a ValidationError naming the field:
 * every layer that checks input (stores, services, the importer) refuses it the same way.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, fieldPrefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') field = [field, ...issue.keys].filter(Boolean).join('.');
  field = [fieldPrefix, field].filter(Boolean).join('.') || fieldPrefix || 'body';
  throw new ValidationError(field, issue.message);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === 'object') {
    // Some libraries throw plain objects (PGlite's file system errors): never "[object Object]".
    const { message, code, errno } = error as { message?: unknown; code?: unknown; errno?: unknown };
    if (typeof message === 'string') return message;
    return `unexpected error${code ?? errno ? ` (${String(code ?? errno)})` : ''}`;
  }
  return String(error);
}

/** An absolute path standing alone (after a space, quote, bracket or `=`), not the path of a URL. */
const ABSOLUTE_PATH = /(?<![^\s'"(=[])(?:file:)?\/(?:[\w.@+-]+\/)+[\w.@+-]*/g;
/** Where a tool's own output starts in our messages ("ffmpeg failed with exit code 1: <stderr>"). */
const TOOL_OUTPUT = /^(.*?(?:failed with exit code -?\d+|was killed by \w+|timed out after \d+ ms))\b.*$/;

/**
 * What a client may read about an error: our own message, first line only, without a tool's
 * stderr or absolute server paths. The full error stays in the log (with the request or job id).
 * Errors that are not ours (bugs, driver failures) say nothing but `fallback`.
 */
export function publicReason(error: unknown, fallback = 'Internal error'): string {
  if (!(error instanceof AppError)) return fallback;
  const firstLine = error.message.split('\n', 1)[0]!.trim();
  const ours = TOOL_OUTPUT.exec(firstLine)?.[1] ?? firstLine;
  const plain = ours.replace(ABSOLUTE_PATH, '<file>');
  return plain.length > 240 ? `${plain.slice(0, 239)}…` : plain;
}
