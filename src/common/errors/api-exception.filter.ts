import type { IncomingMessage } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ConcurrencyConflictError } from '@app/eventsourcing';
import type { HttpAdapterHost } from '@nestjs/core';
import { ApiError, StatusCode, httpStatusOf, toStatusBody } from './api-error';
import { errorForStatus, frameworkError, isFastifyOwnError, malformedPathError } from './framework-errors';
import { HttpErrorId, concurrentModification, internalError, storeUnavailable } from './http-error-ids';
import { nodeRequest } from '../http/http-adapter';
import { isStoreUnavailable } from './unavailability';
import { noteAnsweredErrorId } from '../../observability/request/request-context';

/**
 * gRPC code and error id for the HTTP errors Nest raises itself, in the API's own words: their
 * messages (`Failed to decode param '%E0'`) never reach a client.
 */
function fromHttpException(exception: HttpException, request: IncomingMessage | undefined): { status: number; error: ApiError } {
  const status = exception.getStatus();
  if (status === HttpStatus.BAD_REQUEST && exception.cause instanceof SyntaxError) {
    return { status, error: new ApiError(StatusCode.InvalidArgument, HttpErrorId.malformedJson, 'Request body is not valid JSON') };
  }
  if (status === HttpStatus.BAD_REQUEST && exception.cause instanceof URIError) return { status, error: malformedPathError(request?.url) };
  const error = errorForStatus(status);
  return { status: status >= 500 ? HttpStatus.INTERNAL_SERVER_ERROR : status, error };
}

/**
 * The single place where failures become responses: every error leaves as the grpc-gateway
 * style body `{code, message, details: [ErrorDetail]}`. Unexpected errors are logged with
 * their stack and answered with a bare Internal error, so internals never leak.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response: unknown = host.switchToHttp().getResponse();
    const fromNest = host.switchToHttp().getRequest<Parameters<typeof nodeRequest>[0] | undefined>();
    const request = fromNest === undefined ? undefined : nodeRequest(fromNest);
    const { status, error } = this.translate(exception, request);
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(response)) return;
    // Refused before its body was read (no token, too large): close rather than read the rest.
    if (request?.complete === false) adapter.setHeader(response, 'connection', 'close');
    noteAnsweredErrorId(error.id);
    adapter.reply(response, toStatusBody(error), status);
  }

  private translate(exception: unknown, request: IncomingMessage | undefined): { status: number; error: ApiError } {
    if (exception instanceof ApiError) return { status: exception.httpStatus, error: exception };
    if (exception instanceof HttpException) return fromHttpException(exception, request);
    if (isFastifyOwnError(exception) && exception.statusCode < 500) {
      const error = frameworkError(exception, request?.url);
      return { status: error.httpStatus, error };
    }
    if (exception instanceof ConcurrencyConflictError) {
      this.logger.warn(exception.message);
      return { status: httpStatusOf(StatusCode.Aborted), error: concurrentModification(exception) };
    }
    if (isStoreUnavailable(exception)) {
      this.logger.warn(`Store unavailable: ${exception instanceof Error ? exception.message : String(exception)}`);
      return { status: httpStatusOf(StatusCode.Unavailable), error: storeUnavailable(exception) };
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, error: internalError() };
  }
}
