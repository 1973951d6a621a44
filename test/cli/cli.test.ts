import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CATALOGUE = process.env.CATALOGUE_PATH ?? path.resolve(ROOT, '../shared/data/free-exercise-db/exercises.json');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real command line in its own process, as a user would. */
function cli(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Each step starts real processes that open the embedded database from disk: slow on a busy machine.
// Every test stands alone (`-t`): the catalogue is imported once, before all of them.
describe('the fitness-builder command line on the embedded database', { timeout: 300_000 }, () => {
  let dataDir: string;
  let firstImport: Run;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-cli-'));
    firstImport = await cli(dataDir, ['import', CATALOGUE]);
    expect(firstImport.code, firstImport.stderr).toBe(0);
  }, 300_000);
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('migrates, then reports the database up to date', async () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-cli-migrate-'));
    try {
      const first = await cli(fresh, ['migrate']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/applied 0001_exercises_and_routines/);
      const again = await cli(fresh, ['--json', 'migrate']);
      expect(JSON.parse(again.stdout)).toMatchObject({ applied: [] });
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('imports the 873-exercise catalogue idempotently, with plain progress lines off a terminal', async () => {
    expect(firstImport.stdout).toMatch(/imported 873 of 873 exercises \(0 already present\)/);
    const lines = firstImport.stderr.split('\n').filter((l) => l.startsWith('import: '));
    expect(lines[0]).toBe('import: 0/873');
    expect(lines.at(-1)).toBe('import: 873/873');
    for (const line of lines) expect(line).toMatch(/^import: \d+\/873$/);
    const second = await cli(dataDir, ['--json', 'import', CATALOGUE]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ total: 873, inserted: 0, skipped: 873 });
    const stats = JSON.parse((await cli(dataDir, ['stats'])).stdout);
    expect(stats).toMatchObject({ total_exercises: 873, unique_urls: 0 });
    expect(stats.by_category).toMatchObject({ strength: 581, stretching: 123 });
  });

  it('searches from the command line with no keys and no network', async () => {
    const run = await cli(dataDir, ['search', 'gentle hamstring stretches after cycling', '--limit', '5']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/name\s+score\s+level/);
    expect(run.stdout.toLowerCase()).toMatch(/hamstring/);
    const json = JSON.parse((await cli(dataDir, ['--json', 'search', 'chest with dumbbells', '-n', '3', '--equipment', 'dumbbell'])).stdout);
    expect(json.results).toHaveLength(3);
    for (const r of json.results) expect(r.exercise.equipment).toBe('dumbbell');
  });

  it('creates, shows and exports a routine; exit codes say what went wrong', async () => {
    const list = JSON.parse((await cli(dataDir, ['--json', 'exercises', 'list', '--limit', '2'])).stdout) as { id: string }[];
    const created = await cli(dataDir, ['routines', 'create', '--name', 'Quick', '--exercises', list.map((e) => e.id).join(',')]);
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim();
    const reordered = await cli(dataDir, ['routines', 'update', id, '--exercises', [...list].reverse().map((e) => e.id).join(',')]);
    expect(reordered.code, reordered.stderr).toBe(0);
    const exported = JSON.parse((await cli(dataDir, ['routines', 'export', id])).stdout);
    expect(exported.exercises.map((e: { id: string }) => e.id)).toEqual([...list].reverse().map((e) => e.id));
    const edited = JSON.parse((await cli(dataDir, ['--json', 'exercises', 'update', list[0]!.id, '--intensity', '9'])).stdout);
    expect(edited.intensity).toBe(9);

    const missing = await cli(dataDir, ['exercises', 'show', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/Exercise not found/);
    const invalid = await cli(dataDir, ['routines', 'create', '--name', 'Bad', '--exercises', 'nope']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/exercise_ids/);
    const usage = await cli(dataDir, ['search', 'x', '--limit', '500']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/limit must be an integer from 1 to 100/);
  });

  it('lists jobs and reports a missing one as not found (exit 3), as the API answers 404', async () => {
    const listed = await cli(dataDir, ['--json', 'jobs', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
    const missing = await cli(dataDir, ['jobs', 'show', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/Job not found/);
    const notUuid = await cli(dataDir, ['jobs', 'show', 'nope']);
    expect(notUuid.code).toBe(3);
  });

  it('refuses to open a data folder another process holds', async () => {
    const { spawn: spawnHolder } = await import('node:child_process');
    const holder = spawnHolder(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/fixtures/open-data-dir.ts'), path.join(dataDir, 'db'), 'hold'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    try {
      const run = await cli(dataDir, ['stats']);
      expect(run.code).toBe(5);
      expect(run.stderr).toMatch(/in use by another fitness-builder process/);
    } finally {
      holder.stdin!.end();
      await new Promise((r) => holder.once('exit', r));
    }
  });
});
