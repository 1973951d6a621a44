import type { LibraryMirror, MirrorSnapshot } from '../../src/database/mirror.js';
import type { LibrarySnapshot } from '../../src/database/snapshot.js';
import * as search from '../../src/services/search.js';
import type { SearchContext } from '../../src/services/search.js';
import * as vectors from '../../src/services/vectors.js';

/**
 * The search and vector services bound to one context, so a test reads as a sequence of calls
 * (`s.findExercises(query)`) rather than repeating the context in each.
 */
export function bindSearch(ctx: SearchContext) {
  return {
    ctx,
    initVectorStore: () => vectors.initVectorStore(ctx),
    storeEmbedding: (...a: Tail<Parameters<typeof vectors.storeEmbedding>>) => vectors.storeEmbedding(ctx, ...a),
    deleteEmbedding: (...a: Tail<Parameters<typeof vectors.deleteEmbedding>>) => vectors.deleteEmbedding(ctx, ...a),
    getCollectionInfo: () => vectors.getCollectionInfo(ctx),
    reindex: (...a: Tail<Parameters<typeof vectors.reindex>>) => vectors.reindex(ctx, ...a),
    searchSimilarExercises: (...a: Tail<Parameters<typeof search.searchSimilarExercises>>) => search.searchSimilarExercises(ctx, ...a),
    findExercises: (...a: Tail<Parameters<typeof search.findExercises>>) => search.findExercises(ctx, ...a),
    findDiverseExercises: (...a: Tail<Parameters<typeof search.findDiverseExercises>>) => search.findDiverseExercises(ctx, ...a),
    searchDiverseExercises: (...a: Tail<Parameters<typeof search.searchDiverseExercises>>) => search.searchDiverseExercises(ctx, ...a),
  };
}
export type BoundSearch = ReturnType<typeof bindSearch>;
type Tail<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never;

/** A mirror that serves whatever snapshot the test holds now (null: the mirror is off). */
export function mirrorOf(snapshot: () => LibrarySnapshot | null): Pick<LibraryMirror, 'read'> {
  return {
    read: () => {
      const snap = snapshot();
      if (!snap) return Promise.resolve(null);
      const mirrored: MirrorSnapshot = {
        ...snap,
        size: snap.rows.length,
        byUrl: (normalized, url) => snap.rows.map((r) => r.exercise).filter((e) => e.normalized_url === normalized || e.url === url),
      };
      return Promise.resolve(mirrored);
    },
  };
}
