import type { Db, Queryable } from './db.js';

/**
 * The vector outbox (migration 0005): entries written by a trigger in the transaction of every
 * exercise insert, update and delete, claimed by relays with a lease.
 *
 * Order per exercise: a relay claims only an exercise's oldest entry (the head), and while that
 * head is leased no other relay can claim anything for the exercise. The relay then pushes the
 * exercise's state as it is after the claim, which covers every entry up to the newest one seen,
 * so a stale upsert can never follow a newer delete, whatever the number of relays. That holds
 * as long as no request outlives the lease: the relay renews it before each request (renewOutbox),
 * and a push that failed after reaching the store keeps its entries out of reach until the lease
 * would have ended (retryOutbox).
 */
export interface ClaimedEntry {
  exerciseId: string;
  /** The newest entry of this exercise when it was claimed: everything up to it is settled by one push. */
  maxSeq: string;
  attempts: number;
}

export interface OutboxStats {
  pending: number;
  /** Age of the oldest entry in seconds (0 when empty). */
  oldestSeconds: number;
  /** Entries that failed at least once and wait for their next attempt. */
  retrying: number;
}

/** Leases up to `limit` exercises' heads for `leaseSeconds`; entries not yet due are skipped. */
export async function claimOutbox(db: Db, owner: string, limit: number, leaseSeconds: number): Promise<ClaimedEntry[]> {
  return db.transaction(async (tx) => {
    const heads = await tx.query<{ seq: string; exercise_id: string; attempts: number }>(
      `SELECT o.seq, o.exercise_id, o.attempts FROM vector_outbox o
       WHERE o.next_attempt_at <= now() AND (o.locked_until IS NULL OR o.locked_until < now())
         AND NOT EXISTS (SELECT 1 FROM vector_outbox p WHERE p.exercise_id = o.exercise_id AND p.seq < o.seq)
       ORDER BY o.seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    if (heads.length === 0) return [];
    const seqs = heads.map((h) => h.seq);
    await tx.query(`UPDATE vector_outbox SET locked_by = $2, locked_until = now() + make_interval(secs => $3) WHERE seq = ANY($1::bigint[])`, [
      seqs,
      owner,
      leaseSeconds,
    ]);
    const ids = heads.map((h) => h.exercise_id);
    const newest = await tx.query<{ exercise_id: string; max_seq: string }>(
      `SELECT exercise_id, max(seq)::text AS max_seq FROM vector_outbox WHERE exercise_id = ANY($1::uuid[]) GROUP BY exercise_id`,
      [ids],
    );
    const maxById = new Map(newest.map((r) => [String(r.exercise_id), r.max_seq]));
    return heads.map((h) => ({ exerciseId: String(h.exercise_id), maxSeq: maxById.get(String(h.exercise_id)) ?? String(h.seq), attempts: Number(h.attempts) }));
  });
}

/**
 * Removes the settled entries, but only while `owner` still holds the head's lease: a relay whose
 * lease ran out (it stalled) leaves them to the relay that took over. Returns the entries removed.
 */
export async function completeOutbox(db: Queryable, owner: string, claimed: readonly ClaimedEntry[]): Promise<number> {
  if (claimed.length === 0) return 0;
  const rows = await db.query<{ n: number }>(
    `WITH settled AS (
       SELECT c.exercise_id, c.max_seq FROM unnest($1::uuid[], $2::bigint[]) AS c(exercise_id, max_seq)
       WHERE EXISTS (SELECT 1 FROM vector_outbox h WHERE h.exercise_id = c.exercise_id AND h.locked_by = $3)
     ), gone AS (
       DELETE FROM vector_outbox o USING settled s WHERE o.exercise_id = s.exercise_id AND o.seq <= s.max_seq RETURNING 1
     ) SELECT count(*)::int AS n FROM gone`,
    [claimed.map((c) => c.exerciseId), claimed.map((c) => c.maxSeq), owner],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Extends the leases `owner` still holds on these exercises to `leaseSeconds` from now. Returns how
 * many it still held: fewer than claimed means another relay took some over after a stall.
 */
export async function renewOutbox(db: Queryable, owner: string, claimed: readonly ClaimedEntry[], leaseSeconds: number): Promise<number> {
  if (claimed.length === 0) return 0;
  const rows = await db.query<{ n: number }>(
    `WITH renewed AS (
       UPDATE vector_outbox SET locked_until = now() + make_interval(secs => $3)
       WHERE exercise_id = ANY($1::uuid[]) AND locked_by = $2 RETURNING 1
     ) SELECT count(*)::int AS n FROM renewed`,
    [claimed.map((c) => c.exerciseId), owner, leaseSeconds],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Releases the leases and schedules the next attempt after `delaySeconds`. With `waitForLease`
 * (the push may have reached the store: a timeout, a 5xx) never before the lease would have ended:
 * the store may still apply that request later, and a relay pushing newer state in the meantime
 * could be overtaken by it.
 */
export async function retryOutbox(
  db: Queryable,
  owner: string,
  claimed: readonly ClaimedEntry[],
  delaySeconds: number,
  error: string,
  options: { waitForLease: boolean },
): Promise<void> {
  if (claimed.length === 0) return;
  await db.query(
    `UPDATE vector_outbox SET attempts = attempts + 1,
       next_attempt_at = CASE WHEN $5::boolean THEN greatest(now() + make_interval(secs => $3), coalesce(locked_until, now()))
                              ELSE now() + make_interval(secs => $3) END,
       locked_by = NULL, locked_until = NULL, last_error = $4
     WHERE exercise_id = ANY($1::uuid[]) AND locked_by = $2`,
    [claimed.map((c) => c.exerciseId), owner, delaySeconds, error.slice(0, 1000), options.waitForLease],
  );
}

/** Queues a push of these exercises' current state (reconcile, moving a library between stores). */
export async function enqueueOutbox(db: Queryable, ids: readonly string[], op: 'upsert' | 'delete'): Promise<void> {
  if (ids.length === 0) return;
  await db.query(`INSERT INTO vector_outbox (exercise_id, op) SELECT unnest($1::uuid[]), $2`, [ids, op]);
}

export async function outboxStats(db: Queryable): Promise<OutboxStats> {
  const [row] = await db.query<{ pending: number; oldest: number | null; retrying: number }>(
    `SELECT count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest,
            count(*) FILTER (WHERE attempts > 0)::int AS retrying
     FROM vector_outbox`,
  );
  return { pending: Number(row?.pending ?? 0), oldestSeconds: Math.max(0, Number(row?.oldest ?? 0)), retrying: Number(row?.retrying ?? 0) };
}

/** Starts capturing exercise writes for a store outside PostgreSQL (recorded in vector_index_state). */
export async function enableOutboxCapture(db: Queryable, record: { name: string; model: string; dimensions: number }): Promise<void> {
  await db.query(
    `INSERT INTO vector_index_state (name, backend, model, dimensions) VALUES ($1, 'qdrant', $2, $3)
     ON CONFLICT (name) DO UPDATE SET backend = 'qdrant', model = EXCLUDED.model, dimensions = EXCLUDED.dimensions`,
    [record.name, record.model, record.dimensions],
  );
}

/** Stops capturing and drops what waits: no store outside PostgreSQL is served any more. */
export async function disableOutboxCapture(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`DELETE FROM vector_index_state WHERE backend = 'qdrant'`);
    await tx.query('DELETE FROM vector_outbox');
  });
}
