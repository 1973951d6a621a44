-- Embeddings already computed, keyed by model and a hash of the exact text, so re-indexing and
-- repeated queries do not pay twice. real[] rather than vector: it works without pgvector.
CREATE TABLE embedding_cache (
  model text NOT NULL,
  text_hash text NOT NULL,
  embedding real[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model, text_hash)
);
