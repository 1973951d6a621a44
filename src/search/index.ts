/**
 * Search: full-text query building, rank fusion, diverse selection, and the SearchService that
 * ties them to the database, the embedder and the vector index. The words it reasons with (the
 * vocabulary, the chunk, the search document, query analysis) live in ../language, below it.
 */
export {
  createSearchService,
  HYBRID_WEIGHTS,
  MAX_LIMIT,
  MAX_QUERY_LENGTH,
  type DiverseOptions,
  type HybridHit,
  type HybridOptions,
  type HybridResult,
  type ReindexProgress,
  type ReindexResult,
  type ScoredExercise,
  type SearchService,
  type SearchServiceDeps,
  type SimilarOptions,
} from './service.js';
export { buildTsQuery, rankFulltext } from './fulltext.js';
export { createMemorySearchPath, MEMORY_SEARCH_MAX_ROWS, type MemorySearchPath } from './memory/path.js';
export { fuseRankings, RRF_K, type FusedHit, type RankedList } from './fusion.js';
export { HYBRID_PARAMS, queryIntent, rankHybrid, type CandidateFacts, type HybridParams } from './hybrid.js';
export { selectDiverse, cosine, type DiversityCandidate, type DiversityOptions } from './mmr.js';
