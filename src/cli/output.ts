import cliProgress from 'cli-progress';
import { CommanderError } from 'commander';
import { AppError } from '../errors.js';

/**
 * Terminal output: progress bars on a terminal, plain lines otherwise, JSON for scripts, and
 * exit codes that say what went wrong.
 */
export const EXIT = { ok: 0, error: 1, invalid: 2, notFound: 3, conflict: 4, unavailable: 5, processingFailed: 6 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The one table from an error's HTTP status to an exit code, so a command fails exactly as the
 * API answers the same error (a job that failed on its input is a 4xx there, exit 2 here).
 * Other 4xx are the caller's input; other 5xx our fault.
 */
const EXIT_BY_STATUS: Readonly<Record<number, ExitCode>> = {
  404: EXIT.notFound,
  409: EXIT.conflict,
  500: EXIT.processingFailed,
  503: EXIT.unavailable,
};

export function exitCodeForStatus(status: number): ExitCode {
  return EXIT_BY_STATUS[status] ?? (status >= 400 && status < 500 ? EXIT.invalid : EXIT.error);
}

export function exitCodeFor(error: unknown): ExitCode {
  // Commander's own refusals (unknown option, bad option value, missing argument) are usage errors.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
  if (error instanceof AppError) return exitCodeForStatus(error.status);
  return EXIT.error;
}

export interface Progress {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

/** A bar on a terminal; elsewhere a line every 10% (logs stay readable in CI and files). */
export function createProgress(title: string, json: boolean): Progress {
  if (json) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${title} [{bar}] {percentage}% {value}/{total} {label}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, label = '') {
        if (!started) {
          bar.start(total, done, { label });
          started = true;
        } else {
          bar.setTotal(total);
          bar.update(done, { label });
        }
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastDecile = -1;
  let lastLabel = '';
  return {
    update(done, total, label = '') {
      const decile = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (decile !== lastDecile || label !== lastLabel) {
        lastDecile = decile;
        lastLabel = label;
        process.stderr.write(`${title}: ${done}/${total}${label ? ` ${label}` : ''}\n`);
      }
    },
    stop() {},
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(items: readonly object[], columns: string[]): void {
  const rows = items as readonly Record<string, unknown>[];
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const text = (v: unknown) => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v));
  const widths = columns.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => text(r[c]).length))));
  const line = (cells: string[]) => cells.map((cell, i) => cell.slice(0, widths[i]).padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(columns.map((c) => text(r[c])))}\n`);
}
