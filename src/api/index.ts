/**
 * The HTTP part: the `/api/v1` contract (../shared/reference/api-contract.md) plus routes beyond
 * it, clip streaming, OpenAPI docs at /docs, /metrics. Routes validate with zod schemas and call
 * services; errors are mapped to HTTP in errors.ts only.
 */
import type { Config } from '../config.js';
import { logger } from '../logger.js';
import { createContext, type AppContext } from '../services/context.js';
import { startClipSweeper, type ClipSweeper } from '../services/clip-sweep.js';
import { assertToolsRun } from '../services/health.js';
import { startWorker } from '../services/worker.js';
import { buildServer, type App } from './server.js';

export { buildServer } from './server.js';

export interface RunningServer {
  app: App;
  ctx: AppContext;
  url: string;
  /** Graceful stop: no new requests, running ones finish, unfinished jobs go back to the queue. */
  stop(graceMs?: number): Promise<void>;
}

export async function startServer(config: Config, options: { worker?: boolean } = {}): Promise<RunningServer> {
  await assertToolsRun(config);
  const ctx = await createContext(config);
  let app: App | undefined;
  let sweeper: ClipSweeper | undefined;
  try {
    sweeper = await startClipSweeper(ctx);
    app = await buildServer(ctx);
    if (options.worker ?? config.jobs.runWorker) startWorker(ctx);
    ctx.relay.start();
    const address = await app.listen({ host: config.host, port: config.port });
    logger.info({ address }, 'Fitness Builder API listening');
    const running = app;
    let stopping: Promise<void> | null = null;
    return {
      app: running,
      ctx,
      url: address,
      stop(graceMs = 10_000) {
        stopping ??= (async () => {
          ctx.closing = true;
          sweeper?.stop();
          await Promise.all([running.close(), ctx.worker?.stop(graceMs)]);
          await ctx.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    sweeper?.stop();
    await app?.close().catch(() => {});
    await ctx.worker?.stop(0).catch(() => {});
    await ctx.close();
    throw error;
  }
}
