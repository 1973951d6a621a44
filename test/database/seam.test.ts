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
    await t.db.exec('CREATE TABLE seam_probe (n int)');
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

  it('says how many rows a write transaction should hold', () => {
    expect(t.db.writeBatchSize).toBe(backend === 'pglite' ? 4 : 200);
  });
});
