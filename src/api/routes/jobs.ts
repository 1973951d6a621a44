import { z } from 'zod';
import { isProgressStep } from '../../domain/index.js';
import type { AppContext } from '../../services/context.js';
import { cancelJob, getJob, listJobs, type Job } from '../../services/jobs.js';
import { processUrl } from '../../services/processing.js';
import { errorResponses, jobIdParams, jobStatusResponse, jobsQuery, processBody, processResponse } from '../schemas.js';
import type { TypedApp } from './types.js';

export function jobView(job: Job) {
  return {
    status: job.status,
    result: job.result,
    job_id: job.id,
    type: job.type,
    error: job.error,
    error_code: job.error_code,
    // Only the pipeline reports steps; anything else (a step from another kind of job) is none.
    progress: { step: isProgressStep(job.progress.step) ? job.progress.step : null, percent: job.progress.percent },
    attempts: job.attempts,
    max_attempts: job.max_attempts,
    cancel_requested: job.cancel_requested,
    url: typeof job.payload.url === 'string' ? job.payload.url : null,
    created_at: job.created_at,
    updated_at: job.updated_at,
    started_at: job.started_at,
    finished_at: job.finished_at,
  };
}

export function registerJobRoutes(app: TypedApp, ctx: AppContext): void {
  app.post(
    '/api/v1/process',
    {
      config: { auth: 'key', rateLimit: { max: ctx.config.rateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['processing'],
        summary: 'Turn a video URL into exercise clips, waiting for the result or in the background',
        body: processBody,
        response: {
          200: processResponse,
          202: processResponse.describe('Synchronous call that stopped waiting (timeout or shutdown): the job still runs; poll job_id'),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { accepted, ...answer } = await processUrl(ctx, request.body);
      if (accepted) void reply.code(202);
      return answer;
    },
  );

  app.get(
    '/api/v1/job-status/:job_id',
    { config: { auth: 'public' }, schema: { tags: ['processing'], params: jobIdParams, response: { 200: jobStatusResponse, ...errorResponses } } },
    async (request) => jobView(await getJob(ctx, request.params.job_id)),
  );

  app.get(
    '/api/v1/jobs',
    { config: { auth: 'key' }, schema: { tags: ['processing'], querystring: jobsQuery, response: { 200: z.array(jobStatusResponse), ...errorResponses } } },
    async (request) => (await listJobs(ctx, request.query)).map(jobView),
  );

  app.post(
    '/api/v1/jobs/:job_id/cancel',
    { config: { auth: 'key' }, schema: { tags: ['processing'], params: jobIdParams, response: { 200: jobStatusResponse, ...errorResponses } } },
    async (request) => jobView(await cancelJob(ctx, request.params.job_id)),
  );
}
