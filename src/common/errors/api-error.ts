/**
 * Errors of the public API, modelled on google.rpc.Status as ZITADEL's grpc-gateway emits them:
 * a gRPC code, a stable error id (`COMMAND-suq2upd3rt`) and a human message. Transports (HTTP,
 * gRPC) translate an ApiError into their own format; the domain only ever throws these.
 */
export enum StatusCode {
  Cancelled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  Unauthenticated = 16,
}

export class ApiError extends Error {
  constructor(
    readonly code: StatusCode,
    /** Stable id clients can match on, e.g. `COMMAND-suq2upd3rt`. */
    readonly id: string,
    /** Message without the id, e.g. `Execution not found`. */
    readonly detailMessage: string,
    /**
     * `summary`: the top-level message (before the id) when it says more than the detail;
     * `httpStatus`: the HTTP status where the code's usual one says less (413, 415).
     */
    options?: { cause?: unknown; summary?: string; httpStatus?: number },
  ) {
    super(`${options?.summary ?? detailMessage} (${id})`, options);
    this.name = 'ApiError';
    this.httpStatus = options?.httpStatus ?? httpStatusOf(code);
  }

  /** The status of the answer over HTTP (REST). */
  readonly httpStatus: number;
}

export const invalidArgument = (id: string, message: string): ApiError => new ApiError(StatusCode.InvalidArgument, id, message);
export const failedPrecondition = (id: string, message: string): ApiError =>
  new ApiError(StatusCode.FailedPrecondition, id, message);
export const notFound = (id: string, message: string): ApiError => new ApiError(StatusCode.NotFound, id, message);
export const alreadyExists = (id: string, message: string): ApiError => new ApiError(StatusCode.AlreadyExists, id, message);
export const permissionDenied = (id: string, message: string): ApiError => new ApiError(StatusCode.PermissionDenied, id, message);
export const unauthenticated = (id: string, message: string): ApiError => new ApiError(StatusCode.Unauthenticated, id, message);
export const aborted = (id: string, message: string): ApiError => new ApiError(StatusCode.Aborted, id, message);
export const unavailable = (id: string, message: string): ApiError => new ApiError(StatusCode.Unavailable, id, message);
export const internal = (id: string, message: string): ApiError => new ApiError(StatusCode.Internal, id, message);

const httpStatusByCode: Record<StatusCode, number> = {
  [StatusCode.Cancelled]: 499,
  [StatusCode.Unknown]: 500,
  [StatusCode.InvalidArgument]: 400,
  [StatusCode.DeadlineExceeded]: 504,
  [StatusCode.NotFound]: 404,
  [StatusCode.AlreadyExists]: 409,
  [StatusCode.PermissionDenied]: 403,
  [StatusCode.ResourceExhausted]: 429,
  [StatusCode.FailedPrecondition]: 400,
  [StatusCode.Aborted]: 409,
  [StatusCode.Unimplemented]: 501,
  [StatusCode.Internal]: 500,
  [StatusCode.Unavailable]: 503,
  [StatusCode.Unauthenticated]: 401,
};

export function httpStatusOf(code: StatusCode): number {
  return httpStatusByCode[code];
}

export interface ErrorDetail {
  '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail';
  id: string;
  message: string;
}

/** The JSON body of every error response (grpc-gateway style). */
export interface StatusBody {
  code: StatusCode;
  message: string;
  details: ErrorDetail[];
}

export function toStatusBody(error: ApiError): StatusBody {
  return {
    code: error.code,
    message: error.message,
    details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: error.id, message: error.detailMessage }],
  };
}
