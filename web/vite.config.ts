import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Builds the app into dist/web, which the server serves at / (src/api/web.ts). `npm run dev:web`
 * serves it with hot reload and proxies the API to a server started with `npm start`
 * (API_URL overrides where that runs).
 */
const api = process.env.API_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  server: {
    proxy: {
      '/api': api,
      '/storage': api,
      '/health': api,
      '/docs': api,
    },
  },
});
