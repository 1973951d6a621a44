import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

/**
 * The JavaScript a first visit to the library page downloads: every script and module preload
 * that dist/web/index.html names (the app is one entry, so this is all of it), gzipped at level 9
 * and at Node's default 6. Builds the app first so the figure matches the sources.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist/web');
const BUDGET_KB = 150;

export async function runWebBundle(): Promise<string> {
  const started = performance.now();
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT });
  const buildSeconds = (performance.now() - started) / 1000;
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="(?:modulepreload|stylesheet)"[^>]*\shref)="([^"]+)"/g)].map((m) => m[1]!);
  const rows = refs.map((ref) => {
    const body = fs.readFileSync(path.join(DIST, ref.replace(/^\//, '')));
    return { ref, raw: body.length, gz9: gzipSync(body, { level: 9 }).length, gz6: gzipSync(body).length };
  });
  const kb = (n: number) => (n / 1024).toFixed(1);
  const js = rows.filter((r) => r.ref.endsWith('.js'));
  const jsGz = js.reduce((a, r) => a + r.gz9, 0);
  return [
    `Vite production build in ${buildSeconds.toFixed(1)} s. Budget: ${BUDGET_KB} KB of JavaScript gzipped on first load of the library page.`,
    '',
    '| File | Raw KB | gzip -9 KB | gzip -6 KB |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| \`${r.ref.replace(/-[\w-]{8}\./, '-<hash>.')}\` | ${kb(r.raw)} | ${kb(r.gz9)} | ${kb(r.gz6)} |`),
    '',
    `**JavaScript on first load: ${kb(jsGz)} KB gzipped** (${js.length} file${js.length === 1 ? '' : 's'}; ${jsGz <= BUDGET_KB * 1024 ? 'within' : 'OVER'} the ${BUDGET_KB} KB budget).`,
  ].join('\n');
}
