/**
 * The language of the library: text normalization and stemming, the fitness vocabulary and its
 * phrases, query analysis, and the two texts an exercise is known by (the embedding chunk and the
 * weighted full-text document). Pure; the stores, the embedders and search all sit above it, and
 * it sits above only the domain.
 */
export { buildExerciseChunk, CHUNK_LABELS, intensityWord, levelWord, MAX_CHUNK_TEXT } from './chunk.js';
export { searchDocumentParts, type SearchDocumentParts } from './document.js';
export { analyzeQuery, conceptWeights, expansionWords, type QueryAnalysis } from './query.js';
export { contentStems, FRAME_WORDS, STOP_WORDS, stem, tokenize } from './text.js';
export { CONCEPTS, getConcept, matchConcepts, movementPattern } from './vocabulary.js';
