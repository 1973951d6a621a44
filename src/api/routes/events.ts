import type { FastifyReply } from 'fastify';
import { EVENT_STREAMS_MAX, EVENT_STREAMS_PER_CLIENT, EVENT_STREAM_IDLE_MS } from '../../limits.js';
import type { AppContext } from '../../services/context.js';
import { getJob, type Job } from '../../services/jobs.js';
import { sendError } from '../errors.js';
import { JobStreams } from '../job-streams.js';
import { errorResponses, jobIdParams } from '../schemas.js';
import { jobView } from './jobs.js';
import type { TypedApp } from './types.js';

/**
 * Server-sent events for one job: a `progress` event whenever the job's row changes, ending with
 * its final state. The streams read the job store rather than an in-process emitter, because
 * the worker may be another process (`fitness-builder worker`) sharing a PostgreSQL server;
 * all streams of one job share one poll (see JobStreams).
 */
const POLL_MS = 400;
// Proxies close idle connections; a comment line now and then keeps the stream open.
const HEARTBEAT_MS = 15_000;

function send(reply: FastifyReply, event: string, data: unknown): void {
  reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

export function registerEventRoutes(app: TypedApp, ctx: AppContext): void {
  const streams = new JobStreams((id) => getJob(ctx, id), { pollMs: POLL_MS, perClient: EVENT_STREAMS_PER_CLIENT, total: EVENT_STREAMS_MAX });
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
      const admission = streams.admit(request.ip);
      if ('refused' in admission) {
        return sendError(
          request,
          reply,
          429,
          admission.refused === 'client'
            ? `Too many open event streams from this client (at most ${EVENT_STREAMS_PER_CLIENT}): close one or poll /api/v1/job-status/{job_id}`
            : `Too many open event streams (at most ${EVENT_STREAMS_MAX}): try again later or poll /api/v1/job-status/{job_id}`,
        );
      }
      let first: Job;
      try {
        first = await getJob(ctx, request.params.job_id);
      } catch (error) {
        admission.release();
        throw error;
      }
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
      let lastWrite = Date.now();
      let lastChange = Date.now();
      let unwatch: (() => void) | undefined;
      const stop = () => {
        unwatch?.();
        unwatch = undefined;
        admission.release();
        open.delete(end);
      };
      const end = () => {
        stop();
        reply.raw.end();
      };
      open.add(end);
      request.raw.on('close', stop);
      const show = (job: Job): boolean => {
        const view = jobView(job);
        const stamp = `${view.updated_at}|${view.status}|${view.progress.step}|${view.progress.percent}`;
        const now = Date.now();
        if (stamp !== last) {
          last = stamp;
          send(reply, 'progress', view);
          lastWrite = lastChange = now;
        } else if (now - lastWrite > HEARTBEAT_MS) {
          reply.raw.write(': keep-alive\n\n');
          lastWrite = now;
        }
        // A finished job has nothing more to say; a job stuck this long frees the slot (EventSource reconnects).
        return view.status === 'done' || view.status === 'failed' || now - lastChange > EVENT_STREAM_IDLE_MS;
      };
      if (show(first)) return end();
      unwatch = streams.watch(first.id, (next) => {
        if (next instanceof Error) {
          // A job pruned or deleted mid-stream ends it like a database failure does.
          request.log.warn({ err: next, job: first.id }, 'job events: reading the job failed');
          return end();
        }
        if (show(next)) end();
      });
    },
  );
}
