import type { IncomingMessage, ServerResponse } from 'node:http';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toStatusBody } from '../errors/api-error';
import { frameworkError } from '../errors/framework-errors';
import { noteAnsweredErrorId } from '../../observability/request/request-context';

/** The application type of the HTTP port (Nest on Fastify). */
export type HttpApplication = NestFastifyApplication;

/** The longest path parameter the router accepts (its default, 100, would refuse long ids before they are validated). */
const MAX_PARAM_LENGTH = 16 * 1024;

/**
 * Answers what Fastify's router refuses before any route runs (a path that is not valid
 * percent-encoding) with the API's error body.
 */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = frameworkError({ code: error.code, statusCode: error.statusCode ?? 400 }, request.raw.url);
  noteAnsweredErrorId(apiError.id);
  reply.code(apiError.httpStatus).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(toStatusBody(apiError)));
}

/**
 * The HTTP adapter of the main port, routing as the API has always routed: paths match
 * case-insensitively and with or without a trailing slash, never with doubled slashes.
 * Bodies are read by the routes themselves (see configureHttp), never by Fastify.
 */
export function createHttpAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({
    logger: false,
    // The HTTP drain (main.ts) decides when kept-alive connections close, and requests arriving
    // on them meanwhile are answered, not refused with 503.
    forceCloseConnections: false,
    return503OnClosing: false,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerFrameworkError,
  });
  // Node's own answers to requests it cannot parse or that time out (bare 400, 408, 431 and
  // closed), not Fastify's, which carry a body of Fastify's own shape.
  adapter.getHttpServer().removeAllListeners('clientError');
  return adapter;
}

/** The Node request under a Fastify request (or the Node request itself). */
export function nodeRequest(request: IncomingMessage | FastifyRequest): IncomingMessage {
  return 'raw' in request ? request.raw : request;
}

/** The Node response under a Fastify reply (or the Node response itself). */
export function nodeResponse(response: ServerResponse | FastifyReply): ServerResponse {
  return 'raw' in response ? response.raw : response;
}
