import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError } from '../errors.js';
import { logger } from '../logger.js';

/**
 * The one place where errors become HTTP answers: `{"detail": ...}` with the error's status.
 * Unknown errors become a 500 carrying the request id, logged with it; their message never
 * reaches the client (it could hold internals).
 */
interface ZodIssueLike {
  instancePath?: string;
  message?: string;
  params?: { issue?: { path?: (string | number)[]; message?: string } };
}

function validationDetail(error: FastifyError): string {
  const issues = (error.validation ?? []) as ZodIssueLike[];
  const first = issues[0];
  const context = error.validationContext ?? 'body';
  const path = first?.params?.issue?.path?.join('.') || first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') || '';
  const field = path || context;
  const message = first?.params?.issue?.message ?? first?.message ?? 'invalid';
  return `${field}: ${message}`;
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof AppError) {
    if (error.status >= 500) request.log.warn({ err: error }, error.message);
    void reply.code(error.status).send({ detail: error.message });
    return;
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    void reply.code(422).send({ detail: validationDetail(error) });
    return;
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error, requestId: request.id }, 'response did not match its schema');
    void reply.code(500).send({ detail: `Internal server error (request id ${request.id})` });
    return;
  }
  const status = error.statusCode ?? 500;
  if (status === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    void reply.code(413).send({ detail: 'Request body too large' });
    return;
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    void reply.code(415).send({ detail: 'Unsupported content type: send application/json' });
    return;
  }
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    void reply.code(400).send({ detail: 'Invalid JSON body' });
    return;
  }
  if (status === 429) {
    void reply.code(429).send({ detail: 'Too many requests, slow down' });
    return;
  }
  if (status >= 400 && status < 500) {
    void reply.code(status).send({ detail: error.message });
    return;
  }
  (request.log ?? logger).error({ err: error, requestId: request.id }, 'unhandled error');
  void reply.code(500).send({ detail: `Internal server error (request id ${request.id})` });
}
