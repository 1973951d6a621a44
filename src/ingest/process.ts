import { spawn } from 'node:child_process';
import { ProcessingError, UnavailableError } from '../errors.js';

/**
 * The one way the service runs a program (ffmpeg, ffprobe, yt-dlp): spawned without a shell,
 * bounded in time, output capped, killed when the caller aborts, and every outcome other than
 * exit code 0 reported as a typed error.
 */

export interface RunOptions {
  /** Name used in messages ("ffmpeg", "yt-dlp"). */
  label: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** After SIGTERM on timeout or abort, wait this long before SIGKILL. Default 2000. */
  killGraceMs?: number;
  /** Called with each complete stderr line, for callers that parse a tool's log. */
  onStderrLine?: (line: string) => void;
  /** Characters of stderr kept (the end). Default 4000. */
  stderrTailChars?: number;
  /** More stdout than this fails the run: ffprobe JSON for even odd files is a few KB. Default 8 MiB. */
  maxStdoutChars?: number;
  /** Environment of the child; the parent's when omitted. */
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  stdout: string;
  stderrTail: string;
}

/** The program ran and exited non-zero (or was killed by someone else): its output says why. */
export class ProcessExitError extends ProcessingError {
  constructor(
    readonly label: string,
    readonly exitCode: number | null,
    readonly exitSignal: NodeJS.Signals | null,
    readonly stdout: string,
    readonly stderrTail: string,
  ) {
    const how = exitSignal ? `was killed by ${exitSignal}` : `failed with exit code ${exitCode}`;
    super(`${label} ${how}${formatTail(stderrTail)}`);
  }
}

/**
 * Retryable: a timeout is as likely a busy machine as a pathological file, and job attempts are
 * bounded anyway.
 */
export class ProcessTimeoutError extends ProcessingError {
  constructor(
    readonly label: string,
    readonly timeoutMs: number,
    stderrTail: string,
  ) {
    super(`${label} timed out after ${timeoutMs} ms${formatTail(stderrTail)}`, { retryable: true });
  }
}

const DEFAULT_STDERR_TAIL = 4000;
const DEFAULT_MAX_STDOUT = 8 * 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 2000;

export function runProcess(binary: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const { label } = opts;
  const tailChars = opts.stderrTailChars ?? DEFAULT_STDERR_TAIL;
  const maxStdout = opts.maxStdoutChars ?? DEFAULT_MAX_STDOUT;
  return new Promise<RunResult>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(abortReason(opts.signal));
      return;
    }
    const child = spawn(binary, [...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
      ...(opts.env ? { env: opts.env } : {}),
    });
    let stdout = '';
    let stdoutOverflow = false;
    let tail = '';
    let partialLine = '';
    let failure: Error | null = null;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (error: Error) => {
      if (failure) return;
      failure = error;
      child.kill('SIGTERM');
      // ffmpeg finishes its output on SIGTERM, which can itself take long; SIGKILL bounds it.
      killTimer = setTimeout(() => child.kill('SIGKILL'), opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
      killTimer.unref();
    };

    const timer = setTimeout(() => stop(new ProcessTimeoutError(label, opts.timeoutMs, tail)), opts.timeoutMs);
    timer.unref();

    const onAbort = () => stop(abortReason(opts.signal!));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve({ stdout, stderrTail: tail });
    };

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length + chunk.length > maxStdout) stdoutOverflow = true;
      else stdout += chunk;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      tail = (tail + chunk).slice(-tailChars);
      if (opts.onStderrLine) {
        const lines = (partialLine + chunk).split(/\r?\n|\r/);
        partialLine = lines.pop() ?? '';
        for (const line of lines) opts.onStderrLine(line);
      }
    });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'EACCES') {
        finish(
          new UnavailableError(`${label} not found or not executable at "${binary}"; install it or set its path`, {
            cause: error,
            retryable: false,
          }),
        );
      } else {
        finish(failure ?? new ProcessingError(`${label} could not run: ${error.message}`, { cause: error }));
      }
    });

    // Exit rather than close: a stray grandchild holding the pipes must not keep us waiting.
    child.on('exit', (code, signal) => {
      // Let buffered output drain before judging; 'close' normally follows within a tick.
      const judge = () => {
        if (partialLine && opts.onStderrLine) opts.onStderrLine(partialLine);
        partialLine = '';
        if (failure) return finish(failure);
        if (code === 0) {
          if (stdoutOverflow) return finish(new ProcessingError(`${label} produced more output than expected`));
          return finish(null);
        }
        finish(new ProcessExitError(label, code, signal, stdout, tail));
      };
      let judged = false;
      const once = () => {
        if (!judged) {
          judged = true;
          judge();
        }
      };
      child.once('close', once);
      setTimeout(once, 200).unref();
    });
  });
}

function formatTail(tail: string): string {
  const text = tail.trim().split('\n').slice(-8).join('\n').slice(-1500);
  return text ? `: ${text}` : '';
}

function abortReason(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}
