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

/**
 * Key frame images one extraction may write before they are thinned to MAX_KEY_FRAMES: ffmpeg
 * stops writing there, so a long, flickering video cannot fill the temp folder. Scene changes
 * closer than the minimum gap are not taken at all, which keeps ordinary videos of the longest
 * allowed length well below it.
 */
export const MAX_KEY_FRAME_CANDIDATES = 4000;

/**
 * Clip files no row references are removed once they are this old (CLIP_SWEEP_GRACE_SECONDS):
 * a file moved into CLIPS_DIR waits there only for its own transaction, so anything older is
 * what a killed process left. Hidden files of a delete or restore in another live process are
 * left alone for as long.
 */
export const CLIP_SWEEP_GRACE_SECONDS_DEFAULT = 3600;
/**
 * The most a restore may expand to (RESTORE_MAX_MB): the archive's uncompressed stream, clip
 * files counted as the base64 they travel in. Checked as the stream is read and against the
 * sizes files declare before any of their bytes are written.
 */
export const RESTORE_MAX_MB_DEFAULT = 51_200;
/** How often a running service sweeps CLIPS_DIR after the sweep at start-up. */
export const CLIP_SWEEP_INTERVAL_SECONDS = 3600;

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
/** Open job event streams (`GET /api/v1/jobs/{id}/events`) per client address, and in total. */
export const EVENT_STREAMS_PER_CLIENT = 10;
export const EVENT_STREAMS_MAX = 500;
/** A job event stream whose job has not changed for this long ends; the client may reconnect. */
export const EVENT_STREAM_IDLE_MS = 10 * 60_000;
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
