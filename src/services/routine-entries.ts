import * as store from '../database/index.js';
import type { EntryInput, EntryPatch, RoutineEntry } from '../training/entries.js';
import type { AppContext } from './context.js';

/** Use cases over the entries of a routine: targets, groups, duplicates edited on their own. */
export function listRoutineEntries(ctx: AppContext, routineId: string): Promise<RoutineEntry[]> {
  return store.listRoutineEntries(ctx.db, routineId);
}

export function addRoutineEntry(ctx: AppContext, routineId: string, input: EntryInput): Promise<RoutineEntry> {
  return store.addRoutineEntry(ctx.db, routineId, input);
}

export function updateRoutineEntry(ctx: AppContext, routineId: string, entryId: string, patch: EntryPatch): Promise<RoutineEntry> {
  return store.updateRoutineEntry(ctx.db, routineId, entryId, patch);
}

export function deleteRoutineEntry(ctx: AppContext, routineId: string, entryId: string): Promise<void> {
  return store.deleteRoutineEntry(ctx.db, routineId, entryId);
}

export function reorderRoutineEntries(ctx: AppContext, routineId: string, entryIds: readonly string[]): Promise<RoutineEntry[]> {
  return store.reorderRoutineEntries(ctx.db, routineId, entryIds);
}
