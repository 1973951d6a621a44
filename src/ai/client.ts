import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { ProcessingError, UnavailableError, errorMessage } from '../errors.js';

export interface AIClientOptions {
  baseUrl?: string;
  apiKey?: string;
  timeoutMs: number;
  /** The SDK's own retries of connection errors, 408/409/429 and 5xx, with backoff. */
  maxRetries?: number;
}

/**
 * One client per call: settings come from the caller so tests and per-job overrides stay simple,
 * and constructing the client is cheap.
 */
export function createAIClient(opts: AIClientOptions & { required?: boolean }): OpenAI {
  if (opts.required !== false && !opts.apiKey && !opts.baseUrl) {
    throw new UnavailableError('No AI provider configured (set OPENAI_API_KEY or OPENAI_BASE_URL)', { retryable: false });
  }
  return new OpenAI({
    // Self-hosted OpenAI-compatible servers often need no key, but the SDK insists on one.
    apiKey: opts.apiKey ?? 'unused',
    baseURL: opts.baseUrl,
    timeout: opts.timeoutMs,
    maxRetries: opts.maxRetries ?? 2,
  });
}

/** What went wrong talking to a provider, in words a user can act on, and whether waiting helps. */
export interface AIFault {
  kind: 'aborted' | 'timeout' | 'unreachable' | 'http' | 'other';
  /** HTTP status for `http`. */
  status: number | null;
  /** Network faults, timeouts, 408, 409, 429 and 5xx heal by themselves; a wrong key, model or request does not. */
  retryable: boolean;
  detail: string;
}

export function classifyAIError(error: unknown): AIFault {
  if (error instanceof APIUserAbortError) return { kind: 'aborted', status: null, retryable: true, detail: 'cancelled' };
  if (error instanceof APIConnectionTimeoutError) return { kind: 'timeout', status: null, retryable: true, detail: 'timed out' };
  if (error instanceof APIConnectionError) {
    const cause = error.cause ? errorMessage(error.cause) : error.message;
    return { kind: 'unreachable', status: null, retryable: true, detail: `unreachable (${cause})` };
  }
  if (error instanceof APIError) {
    const status = error.status ?? 0;
    const body = error.error as { message?: unknown } | undefined;
    const message = typeof body?.message === 'string' ? body.message : error.message;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const hint = status === 401 || status === 403 ? ' (check OPENAI_API_KEY)' : status === 404 ? ' (check the model name and OPENAI_BASE_URL)' : '';
    return { kind: 'http', status, retryable, detail: `answered HTTP ${status}: ${message}${hint}` };
  }
  return { kind: 'other', status: null, retryable: false, detail: errorMessage(error) };
}

/** A failed AI call as a job error: retried later when the fault is transient. */
export function aiFailure(error: unknown, what: string): Error {
  if (error instanceof ProcessingError || error instanceof UnavailableError) return error;
  const fault = classifyAIError(error);
  if (fault.kind === 'aborted') return new ProcessingError(`${what} cancelled`, { cause: error, retryable: true });
  return new ProcessingError(`${what} failed: AI provider ${fault.detail}`, { cause: error, retryable: fault.retryable });
}

/** Whether a 400 says the server does not support a request option (JSON mode, verbose_json). */
export function rejectsOption(error: unknown, option: RegExp): boolean {
  return error instanceof APIError && error.status === 400 && option.test(error.message);
}
