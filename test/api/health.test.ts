import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** /health asks every part it reports on: free disk, the job queue's table, ffmpeg and ffprobe. */
describe.each(BACKENDS)('/health reports each part truthfully on %s', (backend) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(backend);
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  const health = async () => (await s.request('/health')).body;

  it('is healthy when every part answers', async () => {
    const h = await health();
    expect(h.services).toMatchObject({ database: 'connected', disk: 'ok', jobs: 'connected', ffmpeg: 'available' });
    expect(h.details).toMatchObject({ disk: null, jobs: null, ffmpeg: null });
    expect(h.status).toBe(h.services.qdrant === 'connected' ? 'healthy' : 'degraded');
  });

  it('is degraded with the reason when free space is under MIN_FREE_DISK_MB', async () => {
    const before = s.ctx.config.minFreeDiskMb;
    // A threshold above any real disk: the same as a full one for the check.
    s.ctx.config.minFreeDiskMb = 100_000_000;
    try {
      const h = await health();
      expect(h.status).toBe('degraded');
      expect(h.services.disk).toBe('low');
      expect(h.details.disk).toMatch(/^low disk space: \d+ MB free .*MIN_FREE_DISK_MB/);
      expect(h.details.disk).not.toContain(s.dataDir);
    } finally {
      s.ctx.config.minFreeDiskMb = before;
    }
  });

  it('is degraded with the reason when ffmpeg does not run', async () => {
    const media = s.ctx.config.media;
    const before = media.ffmpegPath;
    media.ffmpegPath = '/nonexistent/ffmpeg';
    try {
      const h = await health();
      expect(h.status).toBe('degraded');
      expect(h.services.ffmpeg).toBe('unavailable');
      expect(h.details.ffmpeg).toBe('ffmpeg does not run (ENOENT): check FFMPEG_PATH');
    } finally {
      media.ffmpegPath = before;
    }
    expect((await health()).services.ffmpeg).toBe('available');
  });

  it('is degraded with the reason when the jobs table is gone', async () => {
    await s.ctx.db.exec('DROP TABLE jobs');
    const h = await health();
    expect(h.status).toBe('degraded');
    expect(h.services.jobs).toBe('disconnected');
    expect(h.details.jobs).toMatch(/^job queue unavailable: .*jobs/);
    expect(h.services.database).toBe('connected');
  });
});
