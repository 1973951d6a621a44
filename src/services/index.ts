/**
 * Services: every use case the API and the CLI offer, one module per area. Each takes the
 * AppContext (database, vector index, embedder, worker, config) built by `createContext`, reaches
 * storage only through the stores, the vector index and the queue, and orchestrates what spans
 * them (rows, vectors and files committing together). Entry points import services, never below.
 */
export * as backup from './backup/index.js';
export * as catalogue from './catalogue.js';
export { createContext, migrateDatabase, type AppContext } from './context.js';
export * as health from './health.js';
export * as jobs from './jobs.js';
export * as library from './library.js';
export * as processing from './processing.js';
export * as search from './search.js';
export * as stories from './stories.js';
export * as vectors from './vectors.js';
export { startWorker } from './worker.js';
