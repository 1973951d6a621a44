import { describe, expect, it } from 'vitest';
import { CommanderError } from 'commander';
import { EXIT, exitCodeFor, exitCodeForStatus } from '../../src/cli/index.js';
import {
  CancelledError,
  ConflictError,
  JobInputError,
  NotFoundError,
  PrivateAddressError,
  ProcessingError,
  ShutdownError,
  UnavailableError,
  ValidationError,
} from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';

/** A command fails with the exit code derived from the status the API would answer. */
describe('exit codes derive from the error status', () => {
  it.each([
    [new ValidationError('limit', 'too big'), 422, EXIT.invalid],
    [new PrivateAddressError('10.0.0.1', 'url'), 400, EXIT.invalid],
    [new NotFoundError('Job'), 404, EXIT.notFound],
    [new ConflictError('busy'), 409, EXIT.conflict],
    [new CancelledError(), 409, EXIT.conflict],
    [new UnavailableError('down'), 503, EXIT.unavailable],
    [new ShutdownError(), 503, EXIT.unavailable],
    [new ProcessingError('no video'), 500, EXIT.processingFailed],
    // A job that failed on its input: the API answers its 4xx, the CLI exits as for invalid input.
    [new JobInputError(422, 'segment too short'), 422, EXIT.invalid],
    [new JobInputError(404, 'origin answered 404'), 404, EXIT.notFound],
    [new JobInputError(413, 'download too large'), 413, EXIT.invalid],
  ])('%s (status %i) exits %i', (error, status, code) => {
    expect(error.status).toBe(status);
    expect(exitCodeForStatus(status)).toBe(code);
    expect(exitCodeFor(error)).toBe(code);
  });

  it('usage errors exit as invalid input; bugs as unexpected', () => {
    expect(exitCodeFor(new CommanderError(1, 'commander.invalidArgument', 'bad'))).toBe(EXIT.invalid);
    expect(exitCodeFor(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toBe(EXIT.ok);
    expect(exitCodeFor(new TypeError('x is undefined'))).toBe(EXIT.error);
  });
});

describe('the command line refuses bad options with exit 2, naming the option', { timeout: 120_000 }, () => {
  it.each([
    [['search', 'x', '--limit', '500'], /limit must be an integer from 1 to 100/],
    [['search', 'x', '--threshold', '5'], /threshold must be a number from 0 to 1/],
    [['search', 'x', '--threshold', 'high'], /threshold must be a number from 0 to 1/],
    [['search', 'x', '--no-such-option'], /unknown option '--no-such-option'/],
    [['search'], /missing required argument 'query'/],
  ])('%j', async (args, message) => {
    const run = await runCli(args, { DATA_DIR: '/nonexistent/never-opened' });
    expect(run.out).toMatch(message);
    expect(run.code, run.out).toBe(2);
  });

  it('--help still exits 0', async () => {
    const run = await runCli(['search', '--help'], {});
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/--threshold <score>/);
  });
});
