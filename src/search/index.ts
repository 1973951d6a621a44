/**
 * Search: the exercise chunk, the fitness vocabulary, full-text query building, rank fusion,
 * diverse selection, and the SearchService that ties them to the database, the embedder and
 * the vector index. Pure parts are exported for reuse and tests.
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
export { buildExerciseChunk, type ChunkSource } from './chunk.js';
export { searchDocumentParts, type SearchDocumentParts } from './document.js';
export { buildTsQuery, rankFulltext } from './fulltext.js';
export { createMemorySearchPath, MEMORY_SEARCH_MAX_ROWS, type MemorySearchPath } from './memory/path.js';
export { fuseRankings, RRF_K, type FusedHit, type RankedList } from './fusion.js';
export { HYBRID_PARAMS, queryIntent, rankHybrid, type CandidateFacts, type HybridParams } from './hybrid.js';
export { selectDiverse, cosine, type DiversityCandidate, type DiversityOptions } from './mmr.js';
export { matchConcepts, movementPattern, CONCEPTS } from './vocabulary.js';
export { analyzeQuery, conceptWeights, expansionWords, type QueryAnalysis } from './query.js';
