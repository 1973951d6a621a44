/**
 * The AI part: one way to reach an OpenAI-compatible provider. client.ts builds the client and
 * classifies its failures (retryable or not, with a hint for the user), json.ts asks a chat
 * model for JSON checked by a zod schema with one retry, transcribe.ts turns speech into text.
 * Callers: video analysis (ingest), stories (services), the OpenAI embedder (embeddings).
 */
export * from './client.js';
export * from './json.js';
export * from './transcribe.js';
