import { applyDecorators, Controller, Inject, type Type } from '@nestjs/common';
import { CurrentCaller, RequirePermission, type Caller } from '../../auth';
import { restMappingOf } from '../rest/http-rule';
import { RestRequest, RestRoute } from '../rest/rest-route';
import { toRestJson } from '../rest/rest-json';
import { ActionsV2Service } from './action-service';
import { ACTIONS_V2_PERMISSIONS } from './rest-docs';
import { rpcsOf, type ActionsV2Package } from './rpc-services';

type RpcName = keyof ActionsV2Package['method'];

/**
 * The REST entry points of one package of the Actions v2 contract (v2 or v2beta): per RPC, the
 * route of its google.api.http option and its permission; the body decoded and validated into the
 * request message, handed to the shared service, the answer encoded. The two packages differ only
 * in their messages and paths, so one definition builds both controllers.
 */
export function actionsV2Controller(service: ActionsV2Package): Type<unknown> {
  @Controller()
  class ActionsV2Controller {
    readonly rpcs: Record<string, (caller: Caller, request: unknown) => Promise<unknown>>;

    constructor(@Inject(ActionsV2Service) core: ActionsV2Service) {
      this.rpcs = rpcsOf(service, core) as unknown as typeof this.rpcs;
    }
  }
  // Routes are matched in the order they are defined: `POST targets/search` before `POST targets/{id}`.
  const byPathParameters = [...service.methods].sort((a, b) => restMappingOf(a).pathFields.length - restMappingOf(b).pathFields.length);
  for (const method of byPathParameters) {
    const name = method.localName as RpcName;
    const handler = async function (this: ActionsV2Controller, request: unknown, caller: Caller): Promise<object> {
      return toRestJson(method.output, (await this.rpcs[name](caller, request)) as never);
    };
    Object.defineProperty(ActionsV2Controller.prototype, name, { value: handler, writable: true, configurable: true });
    RestRequest(method)(ActionsV2Controller.prototype, name, 0);
    CurrentCaller()(ActionsV2Controller.prototype, name, 1);
    const permission = ACTIONS_V2_PERMISSIONS[name];
    const decorators = [RestRoute(method), ...(permission ? [RequirePermission(permission)] : [])];
    applyDecorators(...decorators)(ActionsV2Controller.prototype, name, Object.getOwnPropertyDescriptor(ActionsV2Controller.prototype, name)!);
  }
  Object.defineProperty(ActionsV2Controller, 'name', { value: `${service.typeName.replaceAll('.', '_')}_Controller` });
  return ActionsV2Controller;
}
