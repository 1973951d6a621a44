import fs from 'node:fs';
import path from 'node:path';
import { UnavailableError } from '../errors.js';

export interface DirLock {
  release(): void;
}

const LOCK_NAME = 'fitness-builder.lock';
/** Folders this process holds, to tell "opened twice here" from a stale file carrying a reused pid. */
const heldHere = new Set<string>();

/**
 * Whether a holder can still be using the folder. A process killed with -9 stays a zombie until
 * its parent reaps it, and signal 0 still reaches a zombie; it holds no files, so it counts as
 * gone (on Linux, state `Z` in /proc/PID/stat).
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !zombieOrGone(pid);
}

/** `pid (comm) S ...`: comm may hold spaces and parentheses, so the state follows the last `)`. */
export function stateFromStat(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  return stat.slice(close + 1).trim().charAt(0) || null;
}

function zombieOrGone(pid: number): boolean {
  try {
    return stateFromStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) === 'Z';
  } catch (error) {
    // Gone since the signal, unless there is no /proc at all (not Linux): then signal 0 decided.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync('/proc/self/stat');
  }
}

/**
 * An exclusive lock on a data folder: a file created with O_EXCL holding our pid. A lock left by
 * a process that no longer exists (killed with -9) is taken over, so a crash never needs manual
 * clean-up; a live holder makes us refuse to start.
 */
export function acquireDirLock(dir: string): DirLock {
  const file = path.join(dir, LOCK_NAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      heldHere.add(file);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          heldHere.delete(file);
          try {
            if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = NaN;
      try {
        holder = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
      } catch {
        continue; // removed between our open and read: try again
      }
      const liveHolder = holder === process.pid ? heldHere.has(file) : Number.isInteger(holder) && processAlive(holder);
      if (liveHolder) {
        throw new UnavailableError(
          `The data folder ${dir} is in use by another fitness-builder process (pid ${holder}). ` +
            'Stop it first, or point DATA_DIR elsewhere; the embedded database cannot be shared between processes ' +
            '(use DATABASE_URL with a PostgreSQL server for that).',
          { retryable: false },
        );
      }
      // Stale: its process is gone (or, in a container, our pid was reused after a restart).
      try {
        fs.unlinkSync(file);
      } catch {
        // someone else took it over first; loop and see
      }
    }
  }
  throw new UnavailableError(`Could not lock the data folder ${dir}`, { retryable: false });
}
