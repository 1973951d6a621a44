/** The server's bounds and defaults, the same module the server reads (one fact, one place). */
export * from '../../../src/limits.js';
