import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type App } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { createContext, type AppContext } from '../../src/services/context.js';
import { BACKENDS, createTestSchema, dropTestSchema, schemaDatabaseUrl, TEST_DATABASE_URL } from '../helpers/db.js';
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

/**
 * PostgreSQL going away under a running service: a TCP stand-in for the network between them,
 * closed mid-test, as when the server stops or its host becomes unreachable.
 */
describe('/health when the PostgreSQL server stops answering', () => {
  let schema: string;
  let proxy: net.Server;
  const sockets = new Set<net.Socket>();
  let app: App;
  let ctx: AppContext;
  let url: string;
  let dataDir: string;
  beforeAll(async () => {
    schema = await createTestSchema();
    const target = new URL(TEST_DATABASE_URL);
    proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const viaProxy = new URL(schemaDatabaseUrl(schema));
    viaProxy.host = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-health-down-'));
    ctx = await createContext(loadConfig({ DATA_DIR: dataDir, DATABASE_URL: viaProxy.toString(), RUN_WORKER: 'false' }));
    app = await buildServer(ctx);
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close().catch(() => {});
    proxy?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await dropTestSchema(schema);
  });

  it('answers 503 (load balancers read the code) and the database route answers in the error envelope', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    proxy.close();
    for (const s of sockets) s.destroy();
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'degraded', services: { database: 'disconnected' } });
    const database = await fetch(`${url}/api/v1/health/database`);
    expect(database.status).toBe(503);
    // The driver's message (address, port) stays in the log.
    expect(await database.json()).toEqual({ detail: 'Database unavailable', request_id: database.headers.get('x-request-id') });
  });
});
