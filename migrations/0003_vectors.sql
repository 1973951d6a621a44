-- Which embedding model and vector size each vector collection was built for. The embeddings
-- table itself (vector(n), HNSW index) is created at start-up by the vector index, because n
-- depends on the configured embedder; this record is how a model change is noticed instead of
-- silently mixing vectors of two models. Plain SQL: it works on servers without pgvector.
CREATE TABLE vector_index_state (
  name text PRIMARY KEY,
  backend text NOT NULL,
  model text NOT NULL,
  dimensions integer NOT NULL CHECK (dimensions > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
