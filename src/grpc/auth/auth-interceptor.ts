import type { Interceptor } from '@connectrpc/connect';
import type { Caller } from '../../auth/caller';
import { permissionDeniedError } from '../../auth/auth-errors';
import type { Permission } from '../../auth/permissions';
import { CALLER, VERIFIED_TOKEN } from './caller-context';

/**
 * Turns an `authorization` header value (or its absence) into a caller, or throws an ApiError;
 * `verified` is the caller its token was already verified as, when it was.
 */
export type AuthenticateHeader = (authorization: string | undefined, verified?: Caller) => Promise<Caller>;

/**
 * Authenticates every call from its `authorization` metadata (the same bearer token as over
 * HTTP) and checks the RPC's permission before the handler runs. RPCs without an entry in
 * `permissions` are refused, so a new RPC cannot be served unprotected by accident; an entry
 * stating undefined lets any valid token call the RPC.
 */
export function authInterceptor(authenticate: AuthenticateHeader, permissions: Readonly<Record<string, Permission | undefined>>): Interceptor {
  return (next) => async (request) => {
    const caller = await authenticate(request.header.get('authorization') ?? undefined, request.contextValues.get(VERIFIED_TOKEN));
    if (!Object.hasOwn(permissions, request.method.localName)) throw permissionDeniedError();
    const required = permissions[request.method.localName];
    if (required !== undefined && !caller.permissions.has(required)) throw permissionDeniedError(required);
    request.contextValues.set(CALLER, caller);
    return next(request);
  };
}
