import { ApiError, permissionDenied, StatusCode, unauthenticated } from '../common/errors/api-error';

/**
 * Stable error ids of authentication and authorisation. Messages say what is wrong with the
 * token (expired, wrong audience...) but never echo the token, keys or library internals.
 */
export const AuthErrorId = {
  /** No `Authorization: Bearer <token>` header. */
  missingToken: 'AUTH-Hq2mB',
  /** The token is malformed, badly signed, or fails a claim check other than expiry. */
  invalidToken: 'AUTH-w8Ktz',
  /** The token's `exp` has passed: the client should get a fresh token. */
  expiredToken: 'AUTH-t0Kx4',
  /** A valid token without an `instance_id`: it names no tenant, so it cannot be used here. */
  missingInstance: 'AUTH-u4Zr0',
  /** The key source (JWKS URL) could not be reached: not the caller's fault, retry later. */
  keysUnavailable: 'AUTH-9dJfx',
  /** The caller is authenticated but lacks the route's permission (ZITADEL's id). */
  permissionDenied: 'AUTH-5mWD2',
} as const;

export const missingTokenError = (): ApiError =>
  unauthenticated(AuthErrorId.missingToken, 'Authorization header with a Bearer token is required');

export const invalidTokenError = (reason: string): ApiError => unauthenticated(AuthErrorId.invalidToken, reason);

export const expiredTokenError = (): ApiError => unauthenticated(AuthErrorId.expiredToken, 'Token expired');

export const missingInstanceError = (): ApiError =>
  unauthenticated(AuthErrorId.missingInstance, 'Token has no instance_id claim naming the instance');

export const keysUnavailableError = (cause: unknown): ApiError =>
  new ApiError(StatusCode.Unavailable, AuthErrorId.keysUnavailable, 'Token signing keys are unavailable, try again later', {
    cause,
  });

const PERMISSION_DENIED = 'No matching permissions found';

/**
 * The detail message is ZITADEL's; the top-level message also names the permission the call
 * needs, so the caller knows which role or grant is missing.
 */
export const permissionDeniedError = (required?: string | readonly string[]): ApiError => {
  const anyOf = typeof required === 'string' ? [required] : (required ?? []);
  if (anyOf.length === 0) return permissionDenied(AuthErrorId.permissionDenied, PERMISSION_DENIED);
  const needed = anyOf.length === 1 ? anyOf[0] : `one of ${anyOf.join(', ')}`;
  return new ApiError(StatusCode.PermissionDenied, AuthErrorId.permissionDenied, PERMISSION_DENIED, {
    summary: `${PERMISSION_DENIED}: the call needs ${needed}`,
  });
};
