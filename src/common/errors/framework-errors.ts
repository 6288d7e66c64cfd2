import { STATUS_CODES } from 'node:http';
import { HttpStatus } from '@nestjs/common';
import { ApiError, StatusCode } from './api-error';
import { HttpErrorId, internalError } from './http-error-ids';

/** An error Fastify raises itself (its codes start with FST_), with the HTTP status it stands for. */
export interface FastifyOwnError {
  code: string;
  statusCode: number;
}

export function isFastifyOwnError(error: unknown): error is Error & FastifyOwnError {
  const candidate = error as Partial<FastifyOwnError> | null;
  return error instanceof Error && typeof candidate?.code === 'string' && candidate.code.startsWith('FST_') && typeof candidate.statusCode === 'number';
}

/** A path whose percent-encoding does not decode (the router or a path parameter found it). */
export function malformedPathError(url: string | undefined): ApiError {
  const path = (url ?? '').split('?', 1)[0];
  return new ApiError(StatusCode.InvalidArgument, HttpErrorId.malformedPath, `Path ${path} is not valid percent-encoding: escape each byte of a path parameter's UTF-8 as %XX`);
}

/**
 * gRPC code and error id for an HTTP status the framework answers on its own (no route, a
 * limit), in the API's own words: the framework's messages never reach a client.
 */
export function errorForStatus(status: number): ApiError {
  const make = (code: StatusCode, id: string, message: string): ApiError => new ApiError(code, id, message, { httpStatus: status });
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
  if (status >= 500) return internalError();
  return make(StatusCode.InvalidArgument, HttpErrorId.httpError, STATUS_CODES[status] ?? 'Bad Request');
}

/** The API error for one of Fastify's own errors on a request to `url`. */
export function frameworkError(error: FastifyOwnError, url: string | undefined): ApiError {
  if (error.code === 'FST_ERR_BAD_URL') return malformedPathError(url);
  return errorForStatus(error.statusCode);
}
