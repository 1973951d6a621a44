import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Db, Queryable } from '../src/database/db.js';

/**
 * An in-memory PGlite in this thread behind the `Db` seam that also exposes the raw instance, so
 * benches can bulk-load with binary COPY (the seam has no COPY; the service never needs it) and
 * time the engine itself, without the service's worker thread in between.
 */
export async function openBenchPglite(): Promise<{ db: Db; pglite: PGlite }> {
  const pglite = await PGlite.create({ extensions: { vector } });
  const on = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: async <T>(text: string, params?: readonly unknown[]) => (await q.query<T>(text, params as unknown[] | undefined)).rows,
    exec: async (text: string) => {
      await q.exec(text);
    },
  });
  const db: Db = {
    kind: 'pglite',
    writeBatchSize: 16,
    ...on(pglite),
    transaction: (fn) => pglite.transaction((tx) => fn(on(tx))),
    close: () => pglite.close(),
  };
  return { db, pglite };
}

/** A PostgreSQL binary COPY payload of (uuid, vector) rows; pgvector's binary form is dim, 0, float4s. */
export function binaryCopyUuidVector(rows: readonly { id: string; vector: readonly number[] }[]): Uint8Array {
  const dims = rows[0]?.vector.length ?? 0;
  const rowBytes = 2 + 4 + 16 + 4 + 4 + 4 * dims;
  const buf = Buffer.alloc(19 + rows.length * rowBytes + 2);
  let o = buf.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  o = buf.writeInt32BE(0, o);
  o = buf.writeInt32BE(0, o);
  for (const row of rows) {
    o = buf.writeInt16BE(2, o);
    o = buf.writeInt32BE(16, o);
    o += buf.write(row.id.replace(/-/g, ''), o, 'hex');
    o = buf.writeInt32BE(4 + 4 * dims, o);
    o = buf.writeInt16BE(dims, o);
    o = buf.writeInt16BE(0, o);
    for (const x of row.vector) o = buf.writeFloatBE(x, o);
  }
  buf.writeInt16BE(-1, o);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}
