import { ConnectError, type Interceptor } from '@connectrpc/connect';
import { noteRpcOutcome } from '../../observability/request/request-context';
import { CALLER } from '../auth/caller-context';

/**
 * Outermost interceptor of the API's RPCs, on both ports: notes the full method name, the gRPC
 * code the call ends with and the verified caller, for the request's log record and metrics.
 */
export const rpcOutcomeInterceptor: Interceptor = (next) => async (request) => {
  const procedure = `/${request.service.typeName}/${request.method.name}`;
  const callerOfCall = () => {
    const caller = request.contextValues.get(CALLER);
    return caller && { subject: caller.subject, instanceId: caller.instanceId };
  };
  try {
    const response = await next(request);
    noteRpcOutcome({ procedure, code: 0, caller: callerOfCall() });
    return response;
  } catch (error) {
    noteRpcOutcome({ procedure, code: ConnectError.from(error).code, caller: callerOfCall() });
    throw error;
  }
};
