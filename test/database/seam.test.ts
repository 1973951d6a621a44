import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestDb, type TestDb } from '../helpers/db.js';

describe.each(BACKENDS)('the database seam on %s', (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets timers and I/O run between the queries of a long loop', async () => {
    // PGlite answers through promise callbacks; without a turn of the event loop between
    // queries a long import would hold back every HTTP request until it ended.
    let firedAt: number | null = null;
    let i = 0;
    setTimeout(() => (firedAt = i), 0);
    for (; i < 50; i++) await t.db.query('SELECT 1');
    expect(firedAt).not.toBeNull();
    expect(firedAt!).toBeLessThan(50);
  });

  it('rolls a transaction back entirely when its function throws', async () => {
    await t.db.exec('CREATE TABLE IF NOT EXISTS seam_probe (n int)');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('INSERT INTO seam_probe VALUES (1)');
        await tx.query('INSERT INTO seam_probe VALUES (2)');
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    expect(await t.db.query('SELECT count(*)::int AS n FROM seam_probe')).toEqual([{ n: 0 }]);
    await t.db.exec('DROP TABLE seam_probe');
  });

  it('keeps concurrent transactions apart: each sees its own writes, a failed one leaves nothing', async () => {
    await t.db.exec('CREATE TABLE IF NOT EXISTS seam_concurrent (who text, n int)');
    try {
      await t.db.exec('DELETE FROM seam_concurrent');
      const run = (who: string, fail = false) =>
        t.db.transaction(async (tx) => {
          for (let n = 0; n < 5; n++) {
            await tx.query('INSERT INTO seam_concurrent VALUES ($1, $2)', [who, n]);
            await new Promise((r) => setTimeout(r, 1));
          }
          if (fail) throw new Error(`${who} fails`);
          return tx.query<{ n: number }>('SELECT count(*)::int AS n FROM seam_concurrent WHERE who = $1', [who]);
        });
      const [a, b, c] = await Promise.allSettled([run('a'), run('b', true), run('c')]);
      expect(a).toEqual({ status: 'fulfilled', value: [{ n: 5 }] });
      expect(b).toMatchObject({ status: 'rejected', reason: { message: 'b fails' } });
      expect(c).toEqual({ status: 'fulfilled', value: [{ n: 5 }] });
      expect(await t.db.query('SELECT who, count(*)::int AS n FROM seam_concurrent GROUP BY who ORDER BY who')).toEqual([
        { who: 'a', n: 5 },
        { who: 'c', n: 5 },
      ]);
    } finally {
      await t.db.exec('DROP TABLE seam_concurrent');
    }
  });

  it('commits a whole write batch of writeBatchSize rows in one transaction', async () => {
    await t.db.exec('CREATE TABLE IF NOT EXISTS seam_batch (n int)');
    try {
      const size = t.db.writeBatchSize;
      expect(size).toBeGreaterThan(0);
      await t.db.transaction(async (tx) => {
        await tx.query('INSERT INTO seam_batch SELECT generate_series(1, $1::int)', [size]);
      });
      expect(await t.db.query('SELECT count(*)::int AS n FROM seam_batch')).toEqual([{ n: size }]);
    } finally {
      await t.db.exec('DROP TABLE seam_batch');
    }
  });
});
