import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/errors.js';
import { ProcessExitError, ProcessTimeoutError, runProcess } from '../../src/ingest/process.js';
import { isAlive } from '../helpers/process.js';

const sh = (script: string, opts: Partial<Parameters<typeof runProcess>[2]> = {}) =>
  runProcess('/bin/sh', ['-c', script], { label: 'sh', timeoutMs: 10_000, ...opts });

describe('runProcess', () => {
  it('returns stdout and the end of stderr on exit code 0', async () => {
    const run = await sh('echo out; echo err >&2');
    expect(run).toEqual({ stdout: 'out\n', stderrTail: 'err\n' });
  });

  it('reports a non-zero exit with its code and output', async () => {
    const error = await sh('echo partial; echo "bad thing" >&2; exit 3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessExitError);
    expect(error).toMatchObject({ exitCode: 3, stdout: 'partial\n', stderrTail: 'bad thing\n', retryable: false });
    expect((error as Error).message).toBe('sh failed with exit code 3: bad thing');
  });

  it('kills a run that passes its timeout (retryable)', async () => {
    const error = await sh('echo $$; exec sleep 30', { timeoutMs: 300, killGraceMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessTimeoutError);
    expect((error as ProcessTimeoutError).retryable).toBe(true);
  });

  it('kills the child when the caller aborts, with the abort reason', async () => {
    const controller = new AbortController();
    let pid = 0;
    const error = await sh('echo $$ >&2; exec sleep 30', {
      signal: controller.signal,
      killGraceMs: 100,
      onStderrLine: (line) => {
        pid = Number(line);
        controller.abort(new Error('job cancelled'));
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('job cancelled');
    expect(pid).toBeGreaterThan(0);
    // The runner settles only after the exit: nothing is left running.
    expect(isAlive(pid)).toBe(false);
  });

  it('passes complete stderr lines to the callback and caps stderr and stdout', async () => {
    const lines: string[] = [];
    const run = await sh('printf "a\\nb\\nc" >&2', { onStderrLine: (l) => lines.push(l), stderrTailChars: 2 });
    expect(lines).toEqual(['a', 'b', 'c']);
    expect(run.stderrTail).toBe('\nc');
    await expect(sh('head -c 5000 /dev/zero', { maxStdoutChars: 1000 })).rejects.toThrow(/more output than expected/);
  });

  it('names a missing program as unavailable', async () => {
    const error = await runProcess('/nonexistent/tool', [], { label: 'tool', timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/tool not found or not executable at "\/nonexistent\/tool"/);
  });

  it('runs with the environment it is given', async () => {
    const run = await sh('echo "[$FB_TEST_VAR]"', { env: { PATH: process.env.PATH, FB_TEST_VAR: 'x' } });
    expect(run.stdout).toBe('[x]\n');
  });
});
