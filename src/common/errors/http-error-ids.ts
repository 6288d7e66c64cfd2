import { ApiError, StatusCode, internal, invalidArgument } from './api-error';

/** Error ids of failures that belong to no domain rule (transport, validation, infrastructure). */
export const HttpErrorId = {
  invalidRequest: 'REQUEST-7hmv0qz3xk',
  malformedJson: 'REQUEST-2jv9d0slxq',
  bodyTooLarge: 'REQUEST-5qz9mbb1dn',
  routeNotFound: 'HTTP-9vb2kx7z0p',
  methodNotAllowed: 'HTTP-4ar1qs8wne',
  httpError: 'HTTP-0c7ymzt3gu',
  internal: 'INTERNAL-0hxk4m7q2c',
  storeUnavailable: 'STORE-4xn3b8zq1v',
  concurrentModification: 'COMMAND-0wrxk3c9pn',
} as const;

export const invalidRequest = (message: string): ApiError => invalidArgument(HttpErrorId.invalidRequest, message);
export const internalError = (): ApiError => internal(HttpErrorId.internal, 'Internal error');
export const storeUnavailable = (cause?: unknown): ApiError =>
  new ApiError(StatusCode.Unavailable, HttpErrorId.storeUnavailable, 'Storage is unavailable, try again later', { cause });
export const concurrentModification = (cause?: unknown): ApiError =>
  new ApiError(StatusCode.Aborted, HttpErrorId.concurrentModification, 'Concurrent modification, try again', { cause });
