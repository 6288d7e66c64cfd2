import { STATUS_CODES, type IncomingMessage } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ConcurrencyConflictError } from '@app/eventsourcing';
import type { HttpAdapterHost } from '@nestjs/core';
import { ApiError, StatusCode, httpStatusOf, toStatusBody } from './api-error';
import { HttpErrorId, concurrentModification, internalError, storeUnavailable } from './http-error-ids';
import { isStoreUnavailable } from './unavailability';
import { noteAnsweredErrorId } from '../../observability/request/request-context';

/**
 * gRPC code and error id for the HTTP errors Nest and Express raise themselves, in the API's
 * own words: their messages (`Failed to decode param '%E0'`) never reach a client.
 */
function fromHttpException(exception: HttpException, request: IncomingMessage | undefined): { status: number; error: ApiError } {
  const status = exception.getStatus();
  const make = (code: StatusCode, id: string, message: string): { status: number; error: ApiError } => ({
    status,
    error: new ApiError(code, id, message),
  });
  if (status === HttpStatus.BAD_REQUEST && exception.cause instanceof SyntaxError) {
    return make(StatusCode.InvalidArgument, HttpErrorId.malformedJson, 'Request body is not valid JSON');
  }
  if (status === HttpStatus.BAD_REQUEST && exception.cause instanceof URIError) {
    const path = (request?.url ?? '').split('?', 1)[0];
    return make(StatusCode.InvalidArgument, HttpErrorId.malformedPath, `Path ${path} is not valid percent-encoding: escape each byte of a path parameter's UTF-8 as %XX`);
  }
  switch (status) {
    case HttpStatus.NOT_FOUND:
      return make(StatusCode.NotFound, HttpErrorId.routeNotFound, 'No such route');
    case HttpStatus.METHOD_NOT_ALLOWED:
      return make(StatusCode.Unimplemented, HttpErrorId.methodNotAllowed, 'Method not allowed');
    case HttpStatus.PAYLOAD_TOO_LARGE:
      return make(StatusCode.ResourceExhausted, HttpErrorId.bodyTooLarge, 'Request body is too large');
    case HttpStatus.UNAUTHORIZED:
      return make(StatusCode.Unauthenticated, HttpErrorId.httpError, 'Unauthenticated');
    case HttpStatus.FORBIDDEN:
      return make(StatusCode.PermissionDenied, HttpErrorId.httpError, 'Permission denied');
    case HttpStatus.TOO_MANY_REQUESTS:
      return make(StatusCode.ResourceExhausted, HttpErrorId.httpError, 'Too many requests');
    case HttpStatus.SERVICE_UNAVAILABLE:
      return make(StatusCode.Unavailable, HttpErrorId.httpError, 'Service unavailable');
  }
  if (status >= 500) return { status: HttpStatus.INTERNAL_SERVER_ERROR, error: internalError() };
  return make(StatusCode.InvalidArgument, HttpErrorId.httpError, STATUS_CODES[status] ?? 'Bad Request');
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
    const request = host.switchToHttp().getRequest<IncomingMessage | undefined>();
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
