import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestSchema, dropTestSchema, schemaDatabaseUrl } from '../helpers/db.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real command line in its own process; killed if it is still running after `timeoutMs`. */
function cli(args: string[], env: Record<string, string | undefined>, timeoutMs = 240_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, VITEST: undefined, NODE_ENV: undefined, LOG_LEVEL: 'silent', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** One line on stderr naming the setting, a non-zero exit, no stack trace. */
function expectRefused(run: Run, variable: string): void {
  expect(run.code, run.stderr).not.toBe(0);
  expect(run.code).not.toBeNull();
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toContain(variable);
  expect(run.stderr).not.toMatch(/\n\s+at |\[object Object\]/);
}

describe('start-up refuses bad settings with one line naming the variable', { timeout: 600_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-startup-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['DATABASE_URL', { DATABASE_URL: 'garbage' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root@127.0.0.1:3306/fitness' }],
    ['MIN_CLIP_SECONDS', { MIN_CLIP_SECONDS: '30', MAX_CLIP_SECONDS: '10' }],
    ['PORT', { PORT: '' }],
    ['PORT', { PORT: '80a' }],
    ['API_KEY', { API_KEY: 'x' }],
    ['OPENAI_BASE_URL', { OPENAI_BASE_URL: 'localhost:11434/v1' }],
    ['EMBEDDING_BASE_URL', { EMBEDDING_BASE_URL: 'ftp://models.example' }],
    ['HOST', { HOST: '999.1.1.1' }],
    ['HOST', { HOST: 'bad host' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'not-an-ip' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.5,10.0.0.0/33' }],
    ['QDRANT_URL', { VECTOR_STORE: 'qdrant', QDRANT_URL: 'ftp://x' }],
  ])('%s', async (variable, env) => {
    expectRefused(await cli(['stats'], { DATA_DIR: path.join(dir, 'ok'), ...env }), variable);
  });

  it('DATA_DIR where nothing can be written (a path through a regular file)', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    expectRefused(await cli(['stats'], { DATA_DIR: path.join(file, 'data') }), 'DATA_DIR');
  });

  it('DATA_DIR whose database folder cannot be created (PGlite fails with a plain object)', async () => {
    const data = path.join(dir, 'blocked');
    fs.mkdirSync(path.join(data, 'db'), { recursive: true });
    fs.writeFileSync(path.join(data, 'db', 'pgdata'), 'in the way');
    expectRefused(await cli(['stats'], { DATA_DIR: data }), 'DATA_DIR');
  });

  it('FFMPEG_PATH that does not run stops `serve` (and `worker`)', async () => {
    const env = { DATA_DIR: path.join(dir, 'tools'), FFMPEG_PATH: path.join(dir, 'no-ffmpeg-here') };
    expectRefused(await cli(['serve'], env), 'FFMPEG_PATH');
    expectRefused(await cli(['worker'], env), 'FFMPEG_PATH');
  });
});

describe.each(BACKENDS)('--json output is JSON, with logs on stderr, on %s', (backend) => {
  let dir: string;
  let schema: string | undefined;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-json-'));
    env = { DATA_DIR: dir, LOG_LEVEL: 'info' };
    if (backend === 'postgres') {
      schema = await createTestSchema();
      env.DATABASE_URL = schemaDatabaseUrl(schema);
    }
  });
  afterAll(async () => {
    if (schema) await dropTestSchema(schema);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every --json command prints exactly one JSON document on stdout', { timeout: 1_200_000 }, async () => {
    const catalogue = path.join(dir, 'catalogue.json');
    fs.writeFileSync(
      catalogue,
      JSON.stringify([{ id: 'Goblet_Squat', name: 'Goblet Squat', category: 'strength', level: 'beginner', primaryMuscles: ['quadriceps'], secondaryMuscles: [], equipment: 'kettlebells', instructions: ['Squat.'] }]),
    );
    const commands = [['import', catalogue], ['stats'], ['exercises', 'list'], ['search', 'squat'], ['jobs', 'list'], ['routines', 'list']];
    let logged = 0;
    const printed: Record<string, unknown> = {};
    for (const args of commands) {
      const run = await cli(['--json', ...args], env);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      expect(() => (printed[args[0]!] = JSON.parse(run.stdout)), `${args.join(' ')} printed: ${run.stdout.slice(0, 200)}`).not.toThrow();
      logged += run.stderr.split('\n').filter((l) => l.startsWith('{"level"')).length;
    }
    // The logs were written, on stderr.
    expect(logged).toBeGreaterThan(0);
    expect((printed.stats as { total_exercises: number }).total_exercises).toBe(1);
  });
});
