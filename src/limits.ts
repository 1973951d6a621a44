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
/** The vector search's score threshold as a client gives it: a similarity from 0 (off) to 1. */
export const SCORE_THRESHOLD_MIN = 0;
export const SCORE_THRESHOLD_MAX = 1;
/**
 * Candidates a diverse search weighs at most: its cost grows with the pool (rows read, vectors
 * compared pairwise), and beyond a few times the requested count the picks no longer change.
 */
export const MAX_DIVERSE_CANDIDATES = 200;
/** Exercises per list page (GET /exercises, `list`). */
export const EXERCISES_DEFAULT_LIMIT = 100;
export const EXERCISES_MAX_LIMIT = 1000;
/** Routines per list page (the contract's 1-100, default 50). */
export const ROUTINES_DEFAULT_LIMIT = 50;
export const ROUTINES_MAX_LIMIT = 100;
/** What the web app asks for: one screen of search results, the recent jobs it shows. */
export const WEB_SEARCH_RESULTS = 40;
export const WEB_RECENT_JOBS = 20;
/** The scale of fitness level and intensity, inclusive. */
export const LEVEL_MIN = 0;
export const LEVEL_MAX = 10;
/** Seconds a clip or a time in a video may reach (a week: no real video is longer). */
export const MAX_MEDIA_SECONDS = 86_400 * 7;
