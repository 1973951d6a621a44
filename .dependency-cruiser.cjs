/**
 * The layers the README draws, checked on every `npm test`: entry points (api, cli) reach the
 * data only through services; stores, adapters and the queue never reach back up; no cycles.
 */
const STORES_ADAPTERS_QUEUE = '^src/(database|vectors|ingest|embeddings|jobs)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes load order matter and hides which module owns an idea.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'entry-points-use-services',
      severity: 'error',
      comment: 'api/ and cli/ call services (and pure modules), never stores, adapters or the job queue.',
      from: { path: '^src/(api|cli)/' },
      to: { path: STORES_ADAPTERS_QUEUE },
    },
    {
      name: 'lower-layers-stay-down',
      severity: 'error',
      comment: 'Stores, adapters and the queue never import services or entry points.',
      from: { path: STORES_ADAPTERS_QUEUE },
      to: { path: '^src/(services|api|cli)/' },
    },
    {
      name: 'services-not-entry-points',
      severity: 'error',
      comment: 'Services are called by api/ and cli/, never the other way round.',
      from: { path: '^src/services/' },
      to: { path: '^src/(api|cli)/' },
    },
    {
      name: 'language-below-its-users',
      severity: 'error',
      comment: 'The stores and the embedders use the shared language; they never reach into search.',
      from: { path: '^src/(database|embeddings|vectors)/' },
      to: { path: '^src/search/' },
    },
    {
      name: 'language-and-domain-stay-pure',
      severity: 'error',
      comment:
        'The domain and the language are the bottom: they import only the domain and the bounds (limits.ts, constants only), never a store, adapter or service.',
      from: { path: '^src/(domain|language)/' },
      to: { path: '^src/(?!domain/|language/|limits\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
