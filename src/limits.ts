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
/**
 * Characters in API_KEY: a shorter key is refused at start-up, since the key is all that guards
 * the writes and can be guessed online at the rate the API answers.
 */
export const API_KEY_MIN_LENGTH = 16;
