import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/services/context.js';
import { addExercises } from '../../src/services/library.js';
import { openPostgres } from '../../src/database/db.js';
import { initDatabase } from '../../src/database/index.js';
import { createTestSchema, dropTestSchema, schemaDatabaseUrl, TEST_DATABASE_URL } from '../helpers/db.js';

/**
 * Several processes on one PostgreSQL server keep no library in memory (the mirror is for a
 * process that owns its database): a write through one `serve` process is seen at once through
 * another, because both read the database.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(base: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${log()}`);
    try {
      if ((await fetch(`${base}/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`serve did not answer: ${log()}`);
}

describe('two serve processes on one PostgreSQL server', () => {
  let schema: string;
  let dir: string;
  let url: string;
  const children: ChildProcess[] = [];
  const bases: string[] = [];
  let seeded: AppContext;

  beforeAll(async () => {
    schema = await createTestSchema();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-two-'));
    url = schemaDatabaseUrl(schema);
    const config = loadConfig({ DATA_DIR: path.join(dir, 'seed'), DATABASE_URL: url, RUN_WORKER: 'false' });
    seeded = await createContext(config, { db: await initDatabase(config) });
    for (const name of ['a', 'b']) {
      const port = await freePort();
      let stderr = '';
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'serve'], {
        cwd: ROOT,
        env: { ...process.env, VITEST: undefined, NODE_ENV: undefined, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: path.join(dir, name), DATABASE_URL: url, RUN_WORKER: 'false' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      children.push(child);
      bases.push(`http://127.0.0.1:${port}`);
      await waitUntilUp(bases.at(-1)!, child, () => stderr);
    }
  }, 600_000);

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await seeded?.close();
    if (schema) await dropTestSchema(schema);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('keeps no mirror on the server', () => {
    expect(seeded.mirror).toBeNull();
  });

  it('sees a write through one process in the next read through the other', async () => {
    const [a, b] = bases as [string, string];
    const [row] = await addExercises(seeded, [{ url: 'https://www.youtube.com/watch?v=twoprocess1', exercise_name: 'Step-up', category: 'strength' }]);
    const id = row!.id;
    expect((await fetch(`${b}/api/v1/exercises/${id}`)).status).toBe(200);

    for (let round = 1; round <= 5; round++) {
      const edited = await fetch(`${a}/api/v1/exercises/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fitness_level: round }),
      });
      expect(edited.status).toBe(200);
      const seen = (await (await fetch(`${b}/api/v1/exercises/${id}`)).json()) as { fitness_level: number };
      expect(seen.fitness_level).toBe(round);
      const bulk = (await (
        await fetch(`${b}/api/v1/exercises/bulk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ exercise_ids: [id] }) })
      ).json()) as { fitness_level: number }[];
      expect(bulk.map((e) => e.fitness_level)).toEqual([round]);
    }

    expect((await fetch(`${a}/api/v1/exercises/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${b}/api/v1/exercises/${id}`)).status).toBe(404);
  });

  it('writes through plain SQL on the server are seen too', async () => {
    const [row] = await addExercises(seeded, [{ url: 'https://www.youtube.com/watch?v=twoprocess2', exercise_name: 'Lunge', category: 'strength' }]);
    const admin = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 1, searchPath: `${schema},public` });
    try {
      await admin.query(`UPDATE exercises SET equipment = 'dumbbell' WHERE id = $1`, [row!.id]);
    } finally {
      await admin.close();
    }
    for (const base of bases) {
      expect(((await (await fetch(`${base}/api/v1/exercises/${row!.id}`)).json()) as { equipment: string }).equipment).toBe('dumbbell');
    }
  });
});
