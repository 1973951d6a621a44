/**
 * Limits and defaults that more than one layer states (API schemas, CLI options, services,
 * stores): each is written here once so the layers cannot disagree.
 */

/** Results per search when the request names no limit (the contract's default). */
export const SEARCH_DEFAULT_LIMIT = 10;
export const SEARCH_MAX_LIMIT = 100;
/** Characters in a search query. */
export const MAX_QUERY_LENGTH = 1000;
/** Ids in one bulk read. */
export const MAX_BULK_IDS = 500;
/** Jobs per list page. */
export const JOBS_DEFAULT_LIMIT = 50;
export const JOBS_MAX_LIMIT = 500;
/** Open job event streams (`GET /api/v1/jobs/{id}/events`) per client address, and in total. */
export const EVENT_STREAMS_PER_CLIENT = 10;
export const EVENT_STREAMS_MAX = 500;
/** A job event stream whose job has not changed for this long ends; the client may reconnect. */
export const EVENT_STREAM_IDLE_MS = 10 * 60_000;
