import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CATALOGUE = process.env.CATALOGUE_PATH ?? path.resolve(ROOT, '../shared/data/free-exercise-db/exercises.json');

function cli(dataDir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('training from the command line on the embedded database', { timeout: 300_000 }, () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-cli-training-'));
    const two = JSON.parse(fs.readFileSync(CATALOGUE, 'utf8')).slice(0, 2);
    fs.writeFileSync(path.join(dataDir, 'two.json'), JSON.stringify(two));
    const imported = await cli(dataDir, ['import', path.join(dataDir, 'two.json')]);
    expect(imported.code, imported.stderr).toBe(0);
  }, 300_000);
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds entries, runs a workout set by set, finishes it and shows the history', async () => {
    const exercises = JSON.parse((await cli(dataDir, ['--json', 'exercises', 'list'])).stdout) as { id: string }[];
    const id = (await cli(dataDir, ['routines', 'create', '--name', 'Pair', '--exercises', exercises[0]!.id])).stdout.trim();
    const added = await cli(dataDir, ['entries', 'add', id, '--exercise', exercises[1]!.id, '--sets', '2', '--reps', '8-12', '--weight', '20', '--group', 'A']);
    expect(added.code, added.stderr).toBe(0);
    const bad = await cli(dataDir, ['entries', 'add', id, '--exercise', exercises[1]!.id, '--weight', '-5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/weight_kg/);
    const listed = JSON.parse((await cli(dataDir, ['--json', 'entries', 'list', id])).stdout);
    expect(listed[1]).toMatchObject({ reps_min: 8, reps_max: 12, weight_kg: 20, group_kind: 'superset' });

    const started = JSON.parse((await cli(dataDir, ['--json', 'workouts', 'start', '--routine', id])).stdout);
    const logged = JSON.parse((await cli(dataDir, ['--json', 'workouts', 'log', started.workout_id, '--reps', '10', '--weight', '50'])).stdout);
    expect(logged.exercises[0].sets[0]).toMatchObject({ reps: 10, weight_kg: 50, done: true });
    const finished = await cli(dataDir, ['workouts', 'finish', started.workout_id]);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toMatch(/1 sets, 500 kg volume/);
    const late = await cli(dataDir, ['workouts', 'log', started.workout_id, logged.exercises[0].sets[0].set_id, '--reps', '1']);
    expect(late.code).toBe(4);
    const history = await cli(dataDir, ['history', exercises[0]!.id]);
    expect(history.stdout).toMatch(/best 50 kg, estimated 1RM \(Epley\) 66\.67 kg/);
  });
});
