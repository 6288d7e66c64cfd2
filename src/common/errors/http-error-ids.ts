import { ApiError, StatusCode, internal, invalidArgument } from './api-error';

/** Error ids of failures that belong to no domain rule (transport, validation, infrastructure). */
export const HttpErrorId = {
  invalidRequest: 'REQUEST-7hmv0qz3xk',
  malformedJson: 'REQUEST-2jv9d0slxq',
  bodyTooLarge: 'REQUEST-5qz9mbb1dn',
  unsupportedMediaType: 'REQUEST-8fw3n6tq1k',
  routeNotFound: 'HTTP-9vb2kx7z0p',
  malformedPath: 'HTTP-6pd1v0rj3m',
  methodNotAllowed: 'HTTP-4ar1qs8wne',
  unknownMethod: 'HTTP-5hc2x8wq0d',
  httpError: 'HTTP-0c7ymzt3gu',
  internal: 'INTERNAL-0hxk4m7q2c',
  storeUnavailable: 'STORE-4xn3b8zq1v',
  concurrentModification: 'COMMAND-0wrxk3c9pn',
} as const;

export const invalidRequest = (message: string): ApiError => invalidArgument(HttpErrorId.invalidRequest, message);
export const malformedJson = (message: string): ApiError => invalidArgument(HttpErrorId.malformedJson, message);
/** A body the API cannot read as sent (not JSON, not UTF-8, compressed): 415, code 3. */
export const unsupportedMediaType = (message: string): ApiError => new ApiError(StatusCode.InvalidArgument, HttpErrorId.unsupportedMediaType, message, { httpStatus: 415 });
export const bodyTooLarge = (limitBytes: number): ApiError =>
  new ApiError(StatusCode.ResourceExhausted, HttpErrorId.bodyTooLarge, `Request body is larger than ${limitBytes / 1024 / 1024} MiB`, { httpStatus: 413 });
export const internalError = (): ApiError => internal(HttpErrorId.internal, 'Internal error');
export const storeUnavailable = (cause?: unknown): ApiError =>
  new ApiError(StatusCode.Unavailable, HttpErrorId.storeUnavailable, 'Storage is unavailable, try again later', { cause });
export const concurrentModification = (cause?: unknown): ApiError =>
  new ApiError(StatusCode.Aborted, HttpErrorId.concurrentModification, 'Concurrent modification, try again', { cause });
