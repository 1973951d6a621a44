import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, publicReason } from '../errors.js';
import { logger } from '../logger.js';

/**
 * The one place where errors become HTTP answers. Every error body, whoever detects the error
 * (a route, zod, Fastify's router or body parser, the rate limiter, Node's HTTP parser), is
 * `{"detail": ..., "request_id": ...}`, and the request id is also in the `x-request-id` header.
 * Server faults become a 500 carrying the request id; their message and any tool output or
 * server path stay in the log.
 */
interface ZodIssueLike {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: { keys?: string[]; issue?: { path?: (string | number)[]; message?: string } };
}

/** An oversized body is read and discarded up to this much before the 413 goes out (see drainBody). */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 15_000;

function validationDetail(error: FastifyError): string {
  const issues = (error.validation ?? []) as ZodIssueLike[];
  const first = issues[0];
  const context = error.validationContext ?? 'body';
  let path = first?.params?.issue?.path?.join('.') || first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') || '';
  let message = first?.params?.issue?.message ?? first?.message ?? 'invalid';
  // A field no route reads is refused by its own name, so a misspelling points at itself.
  const unknownKey = first?.keyword === 'unrecognized_keys' ? first.params?.keys?.[0] : undefined;
  if (unknownKey !== undefined) {
    path = [path, unknownKey].filter(Boolean).join('.');
    message = `unknown ${context === 'querystring' ? 'query parameter' : 'field'}`;
  }
  const field = path || context;
  return `${field}: ${message}`;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, status: number, detail: string): FastifyReply {
  return reply.code(status).header('x-request-id', request.id).send({ detail, request_id: request.id });
}

/**
 * Reads and discards the rest of a request body. Replying while a client is still sending makes
 * most clients (Node's fetch, Python's urllib) see a broken pipe instead of the answer; once the
 * body is consumed they read the 413. Past the caps the connection is closed anyway.
 */
function drainBody(raw: IncomingMessage): Promise<void> {
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', done);
      raw.off('close', done);
      raw.off('error', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_MAX_MS);
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('close', done);
    raw.once('error', done);
    raw.resume();
  });
}

/** Errors Fastify raises itself, with the status and the message a client should see. */
function frameworkAnswer(error: FastifyError): { status: number; detail: string } | null {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, detail: 'Unsupported content type: send application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, detail: 'Invalid JSON body' };
    case 'FST_ERR_BAD_URL':
      return { status: 400, detail: 'Invalid URL: bad percent-encoding in the path' };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { status: 414, detail: 'Path parameter too long' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, detail: 'Request body size did not match Content-Length' };
    default:
      return null;
  }
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void | Promise<void> {
  if (error instanceof AppError) {
    if (error.status >= 500) {
      request.log.warn({ err: error, requestId: request.id }, error.message);
      sendError(request, reply, error.status, publicReason(error));
    } else sendError(request, reply, error.status, error.message);
    return;
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    sendError(request, reply, 422, validationDetail(error));
    return;
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error, requestId: request.id }, 'response did not match its schema');
    sendError(request, reply, 500, `Internal server error (request id ${request.id})`);
    return;
  }
  const status = error.statusCode ?? 500;
  if (status === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return drainBody(request.raw).then(() => {
      sendError(request, reply, 413, 'Request body too large');
    });
  }
  const known = frameworkAnswer(error) ?? (error instanceof SyntaxError ? { status: 400, detail: 'Invalid JSON body' } : null);
  if (known) {
    sendError(request, reply, known.status, known.detail);
    return;
  }
  if (status === 429) {
    sendError(request, reply, 429, 'Too many requests, slow down');
    return;
  }
  if (status >= 400 && status < 500) {
    sendError(request, reply, status, error.message);
    return;
  }
  (request.log ?? logger).error({ err: error, requestId: request.id }, 'unhandled error');
  sendError(request, reply, 500, `Internal server error (request id ${request.id})`);
}

/** Routes nobody registered, and known paths asked with a method they do not take. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  sendError(request, reply, 404, `Not found: ${request.method} ${request.url.split('?')[0]}`);
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a bad Content-Length, broken
 * headers): answered in the same envelope, with a request id of their own.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const requestId = randomUUID();
  const [status, reason, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'Request timed out']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'Request headers too large']
        : [400, 'Bad Request', 'Malformed HTTP request (check Content-Length and headers)'];
  logger.debug({ err: error, requestId }, 'client error');
  const body = JSON.stringify({ detail, request_id: requestId });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
