/**
 * Portable backup and restore (`fitness-builder backup|restore`): archive.ts is the format
 * (pure: records, schemas, line reading), files.ts the clip files, create.ts and restore.ts the
 * two directions over the stores in src/database/backup.ts and routines.ts.
 */
export { BACKUP_FORMAT, BACKUP_VERSION, type BackupSummary, type RestoreSummary } from './archive.js';
export { createBackup } from './create.js';
export { restoreBackup } from './restore.js';
