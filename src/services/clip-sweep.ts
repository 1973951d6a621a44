import fs from 'node:fs/promises';
import path from 'node:path';
import {
  isClipFileName,
  isInFlight,
  parseWorkFileName,
  referencedClipNames,
} from '../database/clip-files.js';
import type { Db } from '../database/index.js';
import { processAlive } from '../database/lock.js';
import { CLIP_SWEEP_INTERVAL_SECONDS } from '../limits.js';
import { logger } from '../logger.js';
import type { AppContext } from './context.js';

/**
 * What a crash can leave in CLIPS_DIR, and its repair: clip files moved in for a transaction that
 * never committed (no row refers to them), files a delete moved aside (`.deleting-*`: put back
 * when the row survived, removed when it is gone) and a restore's staging folder (`.restore-*`:
 * files of committed rows are moved into place, the rest removed with the folder).
 */
export interface SweepResult {
  orphansRemoved: number;
  hiddenRestored: number;
  hiddenRemoved: number;
  stagingRemoved: number;
}

/**
 * A work file is settled by the process that made it, unless that process is gone: this one
 * (its own unsettled files are marked in flight, so any other with our pid is a predecessor's,
 * as after a container restart), one that no longer runs, or one that has had the grace period.
 */
function abandoned(file: string, pid: number, at: number, graceMs: number, now: number): boolean {
  if (isInFlight(file)) return false;
  return pid === process.pid || !processAlive(pid) || now - at >= graceMs;
}

export async function sweepClipFiles(db: Db, clipsDir: string, opts: { graceSeconds: number; now?: number }): Promise<SweepResult> {
  const now = opts.now ?? Date.now();
  const graceMs = opts.graceSeconds * 1000;
  const result: SweepResult = { orphansRemoved: 0, hiddenRestored: 0, hiddenRemoved: 0, stagingRemoved: 0 };
  const entries = await fs.readdir(clipsDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const orphans: string[] = [];
  const hidden: { file: string; name: string }[] = [];
  const staging: string[] = [];
  for (const entry of entries) {
    const file = path.join(clipsDir, entry.name);
    const work = parseWorkFileName(entry.name);
    if (work) {
      if (!abandoned(file, work.pid, work.at, graceMs, now)) continue;
      if (work.kind === 'restore' && entry.isDirectory()) {
        staging.push(file);
        for (const name of await fs.readdir(file)) hidden.push({ file: path.join(file, name), name });
      } else if (work.kind === 'deleting' && entry.isFile()) {
        hidden.push({ file, name: work.rest });
      }
      continue;
    }
    if (!entry.isFile() || !isClipFileName(entry.name)) continue;
    // Listed before the rows are read: a file whose row commits in between is young, so kept.
    const stat = await fs.stat(file).catch(() => null);
    if (stat && now - stat.mtimeMs > graceMs) orphans.push(file);
  }
  if (orphans.length === 0 && hidden.length === 0 && staging.length === 0) return result;
  const referenced = await referencedClipNames(db);
  for (const file of orphans) {
    if (referenced.has(path.basename(file))) continue;
    await fs.rm(file, { force: true });
    result.orphansRemoved++;
  }
  for (const { file, name } of hidden) {
    const original = path.join(clipsDir, name);
    if (referenced.has(name) && isClipFileName(name) && !(await exists(original))) {
      await fs.rename(file, original);
      result.hiddenRestored++;
    } else {
      await fs.rm(file, { force: true });
      result.hiddenRemoved++;
    }
  }
  for (const dir of staging) {
    await fs.rm(dir, { recursive: true, force: true });
    result.stagingRemoved++;
  }
  return result;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

export interface ClipSweeper {
  stop(): void;
}

/**
 * Sweeps CLIPS_DIR once now (awaited, so a clip a crash hid is back before requests are served)
 * and then every CLIP_SWEEP_INTERVAL_SECONDS. A failed sweep is logged; it never stops the service.
 */
export async function startClipSweeper(ctx: AppContext): Promise<ClipSweeper> {
  const sweep = async () => {
    try {
      const result = await sweepClipFiles(ctx.db, ctx.config.clipsDir, { graceSeconds: ctx.config.clipSweepGraceSeconds });
      if (Object.values(result).some((n) => n > 0)) logger.info(result, 'swept leftovers from CLIPS_DIR');
    } catch (err) {
      logger.warn({ err }, 'could not sweep CLIPS_DIR');
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), CLIP_SWEEP_INTERVAL_SECONDS * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
