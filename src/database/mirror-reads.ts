import { normalizeUrl } from '../urls/normalize.js';
import type { Queryable } from './db.js';
import { getExerciseById, getExercisesByIds, getExercisesByUrl } from './exercises.js';
import type { LibraryMirror } from './mirror.js';
import type { Exercise } from '../domain/index.js';
import { isUuid } from '../domain/index.js';

/**
 * The exercise reads, served from the in-memory library when the process keeps one and from the
 * database otherwise (a server, a library above the cap): same shapes, order and misses.
 */
export async function readExerciseById(db: Queryable, mirror: LibraryMirror | null, id: string): Promise<Exercise | null> {
  if (!isUuid(id)) return null;
  const snap = mirror ? await mirror.read([id]) : null;
  if (!snap) return getExerciseById(db, id);
  return snap.get(id)?.exercise ?? null;
}

/** Results follow the input order, unknown and non-UUID ids skipped, as getExercisesByIds. */
export async function readExercisesByIds(db: Queryable, mirror: LibraryMirror | null, ids: readonly string[]): Promise<Exercise[]> {
  const valid = ids.filter(isUuid);
  const snap = mirror && valid.length ? await mirror.read(valid) : null;
  if (!snap) return getExercisesByIds(db, ids);
  return ids.flatMap((id) => {
    const row = isUuid(id) ? snap.get(id) : undefined;
    return row ? [row.exercise] : [];
  });
}

const byPlaceInSource = (a: Exercise, b: Exercise): number =>
  a.carousel_index - b.carousel_index ||
  (a.start_time === null ? (b.start_time === null ? 0 : -1) : b.start_time === null ? 1 : a.start_time - b.start_time) ||
  (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0);

/** Every exercise from a source, ordered as getExercisesByUrl orders them. */
export async function readExercisesByUrl(db: Queryable, mirror: LibraryMirror | null, url: string): Promise<Exercise[]> {
  const snap = mirror ? await mirror.read() : null;
  if (!snap) return getExercisesByUrl(db, url);
  let normalized = url;
  try {
    normalized = normalizeUrl(url).normalized;
  } catch {
    // not a URL we can normalize: the literal text, as the database path does
  }
  return snap.byUrl(normalized, url).sort(byPlaceInSource);
}
