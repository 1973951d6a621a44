import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { logger } from '../logger.js';
import type { AppContext } from '../services/context.js';
import { VERSION } from '../version.js';
import { installAuth, publicRoutesIn } from './auth.js';
import { registerClipRoutes } from './clips.js';
import { registerHostCheck } from './hosts.js';
import { registerWebApp } from './web.js';
import { clientErrorHandler, errorHandler, notFoundHandler } from './errors.js';
import { Metrics } from './metrics.js';
import { registerEventRoutes } from './routes/events.js';
import { registerExerciseRoutes } from './routes/exercises.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerRoutineEntryRoutes } from './routes/routine-entries.js';
import { registerRoutineRoutes } from './routes/routines.js';
import { registerSearchRoutes } from './routes/search.js';
import { registerWorkoutRoutes } from './routes/workouts.js';

export type App = FastifyInstance;

function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/** Builds the HTTP server: contract routes under /api/v1, clips, docs, metrics, one error handler. */
export async function buildServer(ctx: AppContext): Promise<App> {
  const { config } = ctx;
  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }) as FastifyBaseLogger,
    disableRequestLogging: true,
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    // A hop count trusts that many proxies in front of us (Fastify's types only know the function form).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    // The handler may drain an oversized body before answering; it catches its own failures.
    frameworkErrors: (error, request, reply) => {
      void errorHandler(error, request, reply);
    },
    clientErrorHandler,
    routerOptions: { ignoreTrailingSlash: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  // JSON only: a text body is a client mistake worth a 415, not a string to validate.
  app.removeContentTypeParser('text/plain');
  app.setNotFoundHandler(notFoundHandler);

  const metrics = new Metrics();
  app.decorate('metrics', metrics);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.warn({ route, status: reply.statusCode, ms: reply.elapsedTime }, 'request failed');
    else request.log.debug({ route, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });

  registerHostCheck(app, config);

  await app.register(helmet, {
    // The docs page needs its own scripts and styles; the API serves JSON and media only.
    contentSecurityPolicy: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  await app.register(cors, {
    // No wildcard with credentials: listed origins only, or none at all.
    origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins.length ? config.corsOrigins : false,
    credentials: !config.corsOrigins.includes('*') && config.corsOrigins.length > 0,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Range', 'X-Request-Id'],
    exposedHeaders: ['Content-Range', 'Accept-Ranges', 'Content-Length', 'X-Request-Id', 'X-Search-Degraded'],
  });
  await app.register(rateLimit, { global: false });

  // Before any route, so every route is recorded with the policy it declares (api/auth.ts).
  installAuth(app, config.apiKey);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Fitness Builder API',
        description: 'Turns fitness videos into a searchable library of exercise clips and workout routines.',
        version: VERSION,
      },
      components: config.apiKey
        ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }
        : undefined,
    },
    transform: jsonSchemaTransform,
  });
  await app.register(async (docs) => {
    publicRoutesIn(docs);
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });

  const typed = app.withTypeProvider<ZodTypeProvider>();
  registerHealthRoutes(typed, ctx, metrics);
  registerExerciseRoutes(typed, ctx);
  registerRoutineRoutes(typed, ctx);
  registerRoutineEntryRoutes(typed, ctx);
  registerWorkoutRoutes(typed, ctx);
  registerSearchRoutes(typed, ctx);
  registerJobRoutes(typed, ctx);
  registerEventRoutes(typed, ctx);
  registerClipRoutes(app, config.clipsDir);
  await registerWebApp(app);
  await app.ready();
  return app;
}
