/**
 * A timestamptz column as ISO 8601 text with microseconds, which toIso() (milliseconds) would
 * drop: a backup keeps the created_at order of restored rows exact.
 */
export function isoTimestampSql(column: string, alias = column): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${alias}`;
}
