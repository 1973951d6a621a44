/**
 * Search's ranking: full-text query building, rank fusion, hybrid priors, diverse selection, the
 * in-memory scan, and the LibraryView every search reads through. The use cases that tie them to
 * the context live in services/search.ts; the words it reasons with (the vocabulary, the chunk,
 * the search document, query analysis) live in ../language, below it.
 */
export { buildTsQuery, rankFulltext } from './fulltext.js';
export { createMemorySearchPath, MEMORY_SEARCH_MAX_ROWS, type MemorySearchPath } from './memory/path.js';
export { fuseRankings, RRF_K, type FusedHit, type RankedList } from './fusion.js';
export { HYBRID_PARAMS, queryIntent, rankHybrid, type CandidateFacts, type HybridParams } from './hybrid.js';
export { selectDiverse, cosine, type DiversityCandidate, type DiversityOptions } from './mmr.js';
export { createLibraryReader, type LibraryReader, type LibrarySources, type LibraryView } from './view.js';
