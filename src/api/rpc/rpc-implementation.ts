import type { DescService, MessageShape } from '@bufbuild/protobuf';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import type { Caller } from '../../auth/caller';
import { callerOf } from '../../grpc/auth/caller-context';
import { validateRequest } from '../contract/validate-request';

/** An API version's service: each RPC takes the verified caller and the validated request message. */
export type RpcService<S extends DescService> = {
  [K in keyof S['method']]: (caller: Caller, request: MessageShape<S['method'][K]['input']>) => Promise<MessageShape<S['method'][K]['output']>>;
};

/**
 * The Connect implementation of `service` (gRPC, gRPC-web and Connect alike): every call's
 * request message is validated by the proto's rules, as the REST decoder does for REST, and
 * handed with the caller the auth interceptor verified to the same service method REST calls.
 */
export function rpcImplementation<S extends DescService>(service: S, implementation: RpcService<S>): ServiceImpl<S> {
  const handlers: Record<string, (request: never, context: HandlerContext) => Promise<unknown>> = {};
  for (const method of service.methods) {
    const call = implementation[method.localName as keyof S['method']] as (caller: Caller, request: unknown) => Promise<unknown>;
    const bound = call.bind(implementation);
    handlers[method.localName] = async (request, context) => bound(callerOf(context), validateRequest(method.input, request as MessageShape<typeof method.input>));
  }
  return handlers as unknown as ServiceImpl<S>;
}
