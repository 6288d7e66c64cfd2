import { create, type DescService, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import type { Caller } from '../../auth/caller';
import { ActionService as V2ActionService } from '../../grpc/gen/zitadel/action/v2/action_service_pb';
import { ActionService as V2betaActionService } from '../../grpc/gen/zitadel/action/v2beta/action_service_pb';
import type { ActionsV2Service } from './action-service';

/** The two packages serving the Actions v2 contract. */
export type ActionsV2Package = typeof V2ActionService | typeof V2betaActionService;
export const ACTIONS_V2_PACKAGES: readonly ActionsV2Package[] = [V2ActionService, V2betaActionService];

type RpcName = keyof typeof V2ActionService.method;

/** An RPC of `S` on its own messages: the caller and the validated request in, the response out. */
export type RpcsOf<S extends DescService> = {
  [K in keyof S['method']]: (caller: Caller, request: MessageShape<S['method'][K]['input']>) => Promise<MessageShape<S['method'][K]['output']>>;
};

type CoreRequests = { [K in RpcName]: Parameters<ActionsV2Service[K]> extends [unknown, infer R, ...unknown[]] ? R : object };
type CoreAnswers = { [K in RpcName]: Awaited<ReturnType<ActionsV2Service[K]>> };
type Requests<S extends DescService> = { [K in keyof S['method']]: MessageShape<S['method'][K]['input']> };
type AnswerInits<S extends DescService> = { [K in keyof S['method']]: MessageInitShape<S['method'][K]['output']> };

// Compile-time proof that both packages' requests fit what the service reads, and its answers
// fit both packages' responses; a drift between the packages or the service fails the build.
type Fits<_T extends U, U> = true;
export type ActionsV2PackagesFit = [
  Fits<Requests<typeof V2ActionService>, CoreRequests>,
  Fits<Requests<typeof V2betaActionService>, CoreRequests>,
  Fits<CoreAnswers, AnswerInits<typeof V2ActionService>>,
  Fits<CoreAnswers, AnswerInits<typeof V2betaActionService>>,
];

/** The RPCs of one package: each answer built as that package's response message. */
export function rpcsOf<S extends ActionsV2Package>(service: S, core: ActionsV2Service): RpcsOf<S> {
  const rpcs: Record<string, (caller: Caller, request: unknown) => Promise<unknown>> = {};
  for (const method of service.methods) {
    const call = core[method.localName as RpcName] as (caller: Caller, request: unknown) => Promise<MessageInitShape<typeof method.output>>;
    rpcs[method.localName] = async (caller, request) => create(method.output, await call.call(core, caller, request));
  }
  return rpcs as RpcsOf<S>;
}
