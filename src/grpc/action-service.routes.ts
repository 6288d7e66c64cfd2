import type { ConnectRouter, ServiceImpl } from '@connectrpc/connect';
import { consistencyInterceptor } from '../consistency/connect-consistency.interceptor';
import { ActionService } from './gen/zitadel/action/v3alpha/action_service_pb';
import { authInterceptor, type AuthenticateHeader } from './auth/auth-interceptor';
import { ACTION_SERVICE_PERMISSIONS } from './auth/rpc-permissions';
import { errorInterceptor, type ToApiError } from './errors/error-interceptor';

export interface ActionServiceRouteOptions {
  authenticate: AuthenticateHeader;
  toApiError: ToApiError;
  logFailure?: (error: unknown, rpc: string) => void;
}

/**
 * Registers the ActionService RPCs. Every call passes the error interceptor (outermost, so auth
 * failures are converted too) and then the auth interceptor (token and per-RPC permission).
 */
export function registerActionService(router: ConnectRouter, implementation: Partial<ServiceImpl<typeof ActionService>>, options: ActionServiceRouteOptions): void {
  router.service(ActionService, implementation, {
    interceptors: [errorInterceptor(options.toApiError, options.logFailure), consistencyInterceptor, authInterceptor(options.authenticate, ACTION_SERVICE_PERMISSIONS)],
  });
}
