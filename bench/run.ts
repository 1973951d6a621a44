/**
 * Runs named benchmark sections and writes each one's results into BENCHMARKS.md between
 * `<!-- bench:NAME -->` markers, replacing that section's previous results (or appending it),
 * with the exact command and the machine it ran on. Figures are only ever written by running.
 *
 *   npm run bench                      every section
 *   npx tsx bench/run.ts search-latency search-quality
 *
 * To add a section, add an entry to SECTIONS: a title and a function returning Markdown.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runHttpLoad } from './http-load.js';
import { judgedTable, runJudged } from './judged.js';
import { runPipelineBench } from './pipeline.js';
import { largeQualityTable, qualityTable, runLargeQuality, runQuality } from './quality.js';
import { runQueueBench } from './queue.js';
import { runSearchLatency } from './search-latency.js';
import { runSearchPaths } from './search-paths.js';
import { runVectorStores } from './vector-stores.js';
import { runWebBundle } from './web-bundle.js';

interface Section {
  title: string;
  run: () => Promise<string>;
}

export const SECTIONS: Record<string, Section> = {
  'search-quality': { title: 'Search quality (free-exercise-db dev set)', run: async () => qualityTable(await runQuality()) },
  'search-judged': { title: 'Search quality on the hand-judged dev set; no good match', run: async () => judgedTable(await runJudged()) },
  'search-quality-large': { title: 'Search quality on a large library (large-library path)', run: async () => largeQualityTable(await runLargeQuality()) },
  'search-latency': { title: 'Search latency, recall by id and the filtered tail (pgvector, v2 embedder), catalogue import', run: runSearchLatency },
  'search-paths': { title: 'Search paths: in-memory scan vs database, by library size', run: runSearchPaths },
  pipeline: { title: 'Pipeline: one 60 s video through the job system', run: runPipelineBench },
  queue: { title: 'Job queue throughput (no-op handler)', run: runQueueBench },
  'vector-stores': { title: 'Vector stores side by side: pgvector (PGlite, server) and Qdrant; outbox import and lag', run: runVectorStores },
  'http-load': { title: 'HTTP load (autocannon, server in its own process)', run: runHttpLoad },
  'web-bundle': { title: 'Web app: JavaScript on first load of the library page', run: runWebBundle },
};

const FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../BENCHMARKS.md');

export function replaceSection(document: string, name: string, body: string): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from >= 0 && to > from) return document.slice(0, from) + block + document.slice(to + end.length);
  return `${document.trimEnd()}\n\n${block}\n`;
}

function command(name: string): string {
  const env = ['BENCH_SIZES', 'BENCH_ITERATIONS', 'BENCH_LARGE_ROWS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join('');
  return `${env}npx tsx bench/run.ts ${name}`;
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !SECTIONS[n]);
  if (unknown.length) {
    console.error(`Unknown section(s): ${unknown.join(', ')}. Known: ${Object.keys(SECTIONS).join(', ')}`);
    process.exit(2);
  }
  for (const name of names.length ? names : Object.keys(SECTIONS)) {
    const section = SECTIONS[name]!;
    const started = Date.now();
    const result = await section.run();
    const body = [
      `## ${section.title}`,
      '',
      `Command: \`${command(name)}\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ran ${((Date.now() - started) / 1000).toFixed(0)} s.`,
      '',
      result,
    ].join('\n');
    const current = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '# Benchmarks\n\nWritten by `bench/run.ts`; do not edit the figures by hand.\n';
    fs.writeFileSync(FILE, replaceSection(current, name, body));
    console.log(body);
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) await main();
