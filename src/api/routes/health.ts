import { z } from 'zod';
import { UnavailableError } from '../../errors.js';
import type { AppContext } from '../../services/context.js';
import { checkHealth } from '../../services/health.js';
import { countJobs } from '../../services/jobs.js';
import { vectorOutboxStats } from '../../services/vectors.js';
import { VERSION } from '../../version.js';
import type { Metrics } from '../metrics.js';
import { errorSchema } from '../schemas.js';
import type { TypedApp } from './types.js';

const healthReport = z.object({
  status: z.enum(['healthy', 'degraded']),
  version: z.string(),
  services: z.object({
    database: z.string(),
    qdrant: z.string(),
    ai_services: z.string(),
    disk: z.enum(['ok', 'low']),
    jobs: z.enum(['connected', 'disconnected']),
    ffmpeg: z.enum(['available', 'unavailable']),
  }),
  details: z.record(z.string(), z.string().nullable()),
  vector_outbox: z.object({ pending: z.number().int(), oldest_pending_seconds: z.number() }).nullable(),
});

export function registerHealthRoutes(app: TypedApp, ctx: AppContext, metrics: Metrics): void {
  app.get(
    '/',
    { config: { auth: 'public' }, schema: { tags: ['health'], response: { 200: z.object({ message: z.string(), status: z.string() }) } } },
    async () => ({ message: 'Fitness Builder API', status: 'healthy' }),
  );

  app.get(
    '/health',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        response: {
          200: healthReport,
          503: healthReport.describe('The database does not answer: the service cannot serve its library'),
        },
      },
    },
    async (_req, reply) => {
      const h = await checkHealth(ctx);
      // Load balancers read the status code: without its database this instance serves nothing.
      if (!h.database.ok) void reply.code(503);
      return {
        status: h.database.ok && h.vector.ok && h.disk.ok && h.jobs.ok && h.tools.ok ? ('healthy' as const) : ('degraded' as const),
        version: VERSION,
        services: {
          database: h.database.ok ? 'connected' : 'disconnected',
          qdrant: h.vector.ok ? 'connected' : 'disconnected',
          ai_services: h.ai.configured ? 'available' : 'unconfigured',
          disk: h.disk.ok ? ('ok' as const) : ('low' as const),
          jobs: h.jobs.ok ? ('connected' as const) : ('disconnected' as const),
          ffmpeg: h.tools.ok ? ('available' as const) : ('unavailable' as const),
        },
        details: {
          database: h.database.error,
          vector: h.vector.reason,
          ai: h.ai.description,
          disk: h.disk.reason,
          jobs: h.jobs.reason,
          ffmpeg: h.tools.reason,
        },
        vector_outbox: h.outbox ? { pending: h.outbox.pending, oldest_pending_seconds: h.outbox.oldestSeconds } : null,
      };
    },
  );

  app.get(
    '/api/v1/health/database',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        response: {
          200: z.object({ status: z.string(), database: z.string(), exercises_count: z.number().int() }),
          503: errorSchema,
        },
      },
    },
    async () => {
      const h = await checkHealth(ctx, { vector: false });
      // The driver's own message (host, port, role) stays in the log; the client reads the fact.
      if (!h.database.ok) throw new UnavailableError('Database unavailable', { cause: h.database.error });
      return { status: 'healthy', database: 'connected', exercises_count: h.database.exercises };
    },
  );

  app.get(
    '/api/v1/health/vector',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['health'],
        response: {
          200: z.object({
            status: z.string(),
            vector_db: z.string(),
            collection_info: z.object({
              name: z.string(),
              vectors_count: z.number().int(),
              vector_size: z.number().int(),
              distance: z.string(),
              model: z.string().optional(),
              index: z.string().optional(),
            }),
          }),
          503: errorSchema,
        },
      },
    },
    async () => {
      const h = await checkHealth(ctx);
      if (!h.vector.ok || !h.vector.info) throw new UnavailableError(`Vector index unavailable: ${h.vector.reason}`);
      const info = h.vector.info;
      return {
        status: 'healthy',
        vector_db: 'connected',
        collection_info: {
          name: info.name,
          vectors_count: info.vectors_count,
          vector_size: info.vector_size,
          distance: info.distance,
          model: info.model,
          index: info.index,
        },
      };
    },
  );

  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (_req, reply) => {
    // With the database down the job and outbox series are left out (unknown), not reported as
    // zero; the HTTP metrics are still worth serving.
    const [jobs, outbox] = await Promise.all([countJobs(ctx), vectorOutboxStats(ctx)]);
    void reply.header('content-type', 'text/plain; version=0.0.4');
    return metrics.render([
      ...(jobs
        ? [
            {
              name: 'fitness_builder_jobs',
              help: 'Jobs by state.',
              values: Object.entries(jobs).map(([state, value]) => ({ labels: `state="${state}"`, value })),
            },
            { name: 'fitness_builder_queue_depth', help: 'Jobs waiting to run.', values: [{ labels: '', value: jobs.pending }] },
          ]
        : []),
      ...(outbox
        ? [
            { name: 'fitness_builder_vector_outbox_pending', help: 'Exercise changes waiting for the vector store.', values: [{ labels: '', value: outbox.pending }] },
            {
              name: 'fitness_builder_vector_outbox_oldest_pending_seconds',
              help: 'Age of the oldest change waiting for the vector store.',
              values: [{ labels: '', value: outbox.oldestSeconds }],
            },
          ]
        : []),
    ]);
  });
}
