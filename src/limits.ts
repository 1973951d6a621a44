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
 * Training: the largest value a routine target or a logged set may carry. Anything beyond is a
 * typing mistake (a weight in grams, reps with an extra digit), refused with a 422 naming the field.
 */
export const MAX_SETS = 50;
export const MAX_REPS = 1000;
/** Seconds in one timed set or one rest: a day. */
export const MAX_SET_SECONDS = 86_400;
/** Kilograms on one set (loads beyond any lift on record). */
export const MAX_WEIGHT_KG = 1000;
/** Characters in an entry's or a set's note. */
export const MAX_NOTE_LENGTH = 2000;
/** Characters in a superset or circuit label. */
export const MAX_GROUP_LABEL_LENGTH = 40;
/** Entries in one routine and exercises in one workout. */
export const MAX_ROUTINE_ENTRIES = 500;
/** Sets logged for one exercise of one workout. */
export const MAX_SETS_PER_EXERCISE = 100;
/** Workouts or history rows per list page. */
export const TRAINING_DEFAULT_LIMIT = 50;
export const TRAINING_MAX_LIMIT = 500;
