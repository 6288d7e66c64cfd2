import type { DescService } from '@bufbuild/protobuf';
import type { ConnectRouter, ServiceImpl } from '@connectrpc/connect';
import type { Caller } from '../auth/caller';
import type { Permission } from '../auth/permissions';
import { consistencyInterceptor } from '../consistency/connect-consistency.interceptor';
import { ActionService } from './gen/zitadel/action/v3alpha/action_service_pb';
import { authInterceptor, type AuthenticateHeader } from './auth/auth-interceptor';
import { checkTokenBeforeBody } from './auth/token-before-body';
import { ACTION_SERVICE_PERMISSIONS } from './auth/rpc-permissions';
import { errorInterceptor, type ToApiError } from './errors/error-interceptor';
import { rpcOutcomeInterceptor } from './server/rpc-outcome.interceptor';

export interface ActionServiceRouteOptions {
  authenticate: AuthenticateHeader;
  /** The token check alone (no rate limit taken), made before the request body is read. */
  verifyToken: (authorization: string | undefined) => Promise<Caller>;
  toApiError: ToApiError;
  logFailure?: (error: unknown, rpc: string) => void;
}

/**
 * Registers the ActionService RPCs. Every call passes the outcome interceptor (for its log
 * record and metrics), the error interceptor (so auth failures are converted too) and then the
 * auth interceptor (token and per-RPC permission).
 */
export function registerActionService(router: ConnectRouter, implementation: Partial<ServiceImpl<typeof ActionService>>, options: ActionServiceRouteOptions): void {
  registerRpcService(router, ActionService, implementation, ACTION_SERVICE_PERMISSIONS, options);
}

/** Registers any API service the same way, with the permission of each of its RPCs (undefined: any valid token). */
export function registerRpcService<S extends DescService>(
  router: ConnectRouter,
  service: S,
  implementation: Partial<ServiceImpl<S>>,
  permissions: Readonly<Record<keyof S['method'], Permission | undefined>>,
  options: ActionServiceRouteOptions,
): void {
  router.service(service, implementation, {
    interceptors: [rpcOutcomeInterceptor, errorInterceptor(options.toApiError, options.logFailure), consistencyInterceptor, authInterceptor(options.authenticate, permissions)],
  });
  checkTokenBeforeBody(router, service, options.verifyToken);
}
