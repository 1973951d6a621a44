/**
 * Timestamps leave the stores as ISO 8601 strings in UTC. The drivers hand back Dates (and
 * strings in some set-ups): this is the one conversion.
 */
export function toIso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

export function toIsoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : toIso(value);
}

/**
 * A timestamptz column as ISO 8601 text with microseconds, which toIso() (milliseconds) would
 * drop: a backup keeps the created_at order of restored rows exact.
 */
export function isoTimestampSql(column: string, alias = column): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${alias}`;
}
