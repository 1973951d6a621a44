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
