import createClient from 'openapi-fetch';
import type { paths } from './schema';

/**
 * The typed API client (types generated from the server's OpenAPI document by `npm run gen:api`).
 * With API_KEY set on the server, the first 401 asks the person for the key once; it is kept in
 * sessionStorage for the tab's life and the request is retried.
 */
// The server's document inlines its schemas (no components): name them from the routes.
type Ok<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;
export type Exercise = Ok<'/api/v1/exercises/{id}', 'get'>;
export type Routine = Ok<'/api/v1/routines/{id}', 'get'>;

const KEY_STORE = 'fitness-builder.api-key';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const api = createClient<paths>({ baseUrl: '' });
api.use({
  onRequest({ request }) {
    const key = sessionStorage.getItem(KEY_STORE);
    if (key) request.headers.set('authorization', `Bearer ${key}`);
    return request;
  },
});

type KeyListener = (asking: boolean) => void;
const keyListeners = new Set<KeyListener>();
let pendingKey: ((key: string | null) => void) | null = null;
let pendingPromise: Promise<string | null> | null = null;

export function onKeyRequest(listener: KeyListener): () => void {
  keyListeners.add(listener);
  return () => void keyListeners.delete(listener);
}

function askForKey(): Promise<string | null> {
  if (!pendingPromise) {
    pendingPromise = new Promise((resolve) => {
      pendingKey = resolve;
    });
    keyListeners.forEach((l) => l(true));
  }
  return pendingPromise;
}

/** Called by the key prompt: the key (kept for the session), or null when the person gives up. */
export function answerKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORE, key);
  pendingKey?.(key);
  pendingKey = null;
  pendingPromise = null;
  keyListeners.forEach((l) => l(false));
}

function detailOf(error: unknown, status: number): string {
  const detail = (error as { detail?: unknown } | null)?.detail;
  if (typeof detail === 'string' && detail) return detail;
  if (status === 429) return 'Too many requests: wait a minute and try again.';
  return `The server answered ${status}.`;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Runs one API call: its data, or an ApiError with the server's own message. */
export async function call<T>(request: () => Promise<Answer<T>>): Promise<T> {
  const attempt = async () => {
    try {
      return await request();
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'The server could not be reached. Check that it is running, then try again.');
    }
  };
  let answer = await attempt();
  if (answer.response.status === 401 && (await askForKey())) answer = await attempt();
  if (!answer.response.ok || answer.data === undefined) {
    throw new ApiError(answer.response.status, detailOf(answer.error, answer.response.status));
  }
  return answer.data;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? `Something went wrong: ${error.message}` : 'Something went wrong.';
}

export const isAbort = (error: unknown) => (error as Error | null)?.name === 'AbortError';

export const clipUrl = (e: Pick<Exercise, 'video_path'>) => (e.video_path ? `/${e.video_path}` : null);
export const thumbUrl = (e: Pick<Exercise, 'thumbnail_path'>) => (e.thumbnail_path ? `/${e.thumbnail_path}` : null);
