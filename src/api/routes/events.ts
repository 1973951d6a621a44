import type { FastifyReply } from 'fastify';
import type { AppContext } from '../../services/context.js';
import { getJob } from '../../services/jobs.js';
import { errorResponses, jobIdParams } from '../schemas.js';
import { jobView } from './jobs.js';
import type { TypedApp } from './types.js';

/**
 * Server-sent events for one job: a `progress` event whenever the job's row changes, ending with
 * its final state. The stream reads the job store rather than an in-process emitter, because
 * the worker may be another process (`fitness-builder worker`) sharing a PostgreSQL server.
 */
const POLL_MS = 400;
// Proxies close idle connections; a comment line now and then keeps the stream open.
const HEARTBEAT_MS = 15_000;

function send(reply: FastifyReply, event: string, data: unknown): void {
  reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export function registerEventRoutes(app: TypedApp, ctx: AppContext): void {
  // Open streams would keep `close()` waiting for a job to finish: end them first.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get(
    '/api/v1/jobs/:job_id/events',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['processing'],
        summary: 'A job\'s progress as server-sent events (`progress` events, the last one done or failed)',
        params: jobIdParams,
        response: { ...errorResponses },
      },
    },
    async (request, reply) => {
      const first = await getJob(ctx, request.params.job_id);
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-request-id': request.id,
      });
      // A client reconnecting after a drop waits this long (ms) before trying again.
      reply.raw.write('retry: 2000\n\n');
      let last = '';
      let closed = false;
      let timer: NodeJS.Timeout | undefined;
      let lastWrite = Date.now();
      const stop = () => {
        closed = true;
        open.delete(end);
        if (timer) clearTimeout(timer);
      };
      const end = () => {
        stop();
        reply.raw.end();
      };
      open.add(end);
      request.raw.on('close', stop);
      const tick = async (job = first) => {
        if (closed) return;
        const view = jobView(job);
        const stamp = `${view.updated_at}|${view.status}|${view.progress.step}|${view.progress.percent}`;
        if (stamp !== last) {
          last = stamp;
          send(reply, 'progress', view);
          lastWrite = Date.now();
        } else if (Date.now() - lastWrite > HEARTBEAT_MS) {
          reply.raw.write(': keep-alive\n\n');
          lastWrite = Date.now();
        }
        if (view.status === 'done' || view.status === 'failed') return end();
        timer = setTimeout(() => {
          getJob(ctx, job.id).then(
            (next) => tick(next),
            (error: unknown) => {
              // A job pruned or deleted mid-stream ends it like a database failure does.
              request.log.warn({ err: error, job: job.id }, 'job events: reading the job failed');
              end();
            },
          );
        }, POLL_MS);
      };
      await tick();
    },
  );
}
