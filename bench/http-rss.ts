/**
 * Resident memory of `npm start` (`node dist/cli/main.js serve`, the built code, defaults: the
 * embedded database, the offline embedder, a job worker) on a DATA_DIR holding the 873-exercise
 * catalogue, after it has answered some reads and searches. Read from /proc (Linux): VmRSS now
 * and VmHWM, the peak. dist/ must be built from the current source (`npm run build`).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RssResult {
  rssMb: number;
  peakMb: number;
  requests: number;
}

const READY_TIMEOUT_MS = 180_000;

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(ext)) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

const statusMb = (pid: number, field: string) => {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(line?.split(/\s+/)[1] ?? NaN) / 1024;
};

export async function measureStartRss(root: string, catalogue: string, queries: readonly string[]): Promise<RssResult> {
  const main = path.join(root, 'dist/cli/main.js');
  if (!fs.existsSync(main) || newestMtime(path.join(root, 'dist'), '.js') < newestMtime(path.join(root, 'src'), '.ts')) {
    throw new Error('dist/ is missing or older than src/: run `npm run build` first');
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-bench-rss-'));
  const env = { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', NODE_ENV: 'production' };
  try {
    const imported = spawnSync(process.execPath, [main, 'import', catalogue], { cwd: root, env, encoding: 'utf8' });
    if (imported.status !== 0) throw new Error(`import failed: ${imported.stderr}`);
    const child = spawn(process.execPath, [main, 'serve'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stderr = '';
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), READY_TIMEOUT_MS);
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          const match = /Fitness Builder (http:\/\/\S+)/.exec(stderr);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
      });
      let requests = 0;
      const newest = (await (await fetch(`${url}/api/v1/exercises`)).json()) as { id: string }[];
      requests++;
      for (const item of newest) {
        await (await fetch(`${url}/api/v1/exercises/${item.id}`)).arrayBuffer();
        requests++;
      }
      for (const query of queries) {
        const res = await fetch(`${url}/api/v1/exercises/semantic-search-ids`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, limit: 10 }),
        });
        await res.arrayBuffer();
        requests++;
      }
      return { rssMb: statusMb(child.pid!, 'VmRSS'), peakMb: statusMb(child.pid!, 'VmHWM'), requests };
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
