import type { DescMethod } from '@bufbuild/protobuf';
import { applyDecorators, Controller } from '@nestjs/common';
import { CurrentCaller, RequirePermission, type Caller } from '../../auth';
import {
  PublishEventsResponseSchema,
  RunFunctionResponseSchema,
  RunRequestResponseSchema,
  RunResponseResponseSchema,
  RuntimeService,
  type PublishEventsRequest,
  type RunFunctionRequest,
  type RunRequestRequest,
  type RunResponseRequest,
} from '../../grpc/gen/actions/runtime/v1/runtime_service_pb';
import { RestRequest, RestRoute } from '../rest/rest-route';
import { toRestJson } from '../rest/rest-json';
import { RUNTIME_V1_DOCS, RUNTIME_V1_PERMISSIONS } from './rest-docs';
import { RuntimeV1Service } from './runtime-service';

type Rpc = keyof typeof RuntimeService.method;
const rpc = RuntimeService.method;

const route = (name: Rpc): MethodDecorator =>
  applyDecorators(RestRoute(rpc[name], { status: RUNTIME_V1_DOCS.rpcs[name].status }), RequirePermission(RUNTIME_V1_PERMISSIONS[name]));

const request = (method: DescMethod): ParameterDecorator => RestRequest(method);

/** The REST entry points of actions.runtime.v1.RuntimeService: decode, call, encode. */
@Controller()
export class RuntimeV1Controller {
  constructor(private readonly service: RuntimeV1Service) {}

  @route('runRequest')
  async runRequest(@request(rpc.runRequest) body: RunRequestRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(RunRequestResponseSchema, await this.service.runRequest(caller, body));
  }

  @route('runResponse')
  async runResponse(@request(rpc.runResponse) body: RunResponseRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(RunResponseResponseSchema, await this.service.runResponse(caller, body));
  }

  @route('runFunction')
  async runFunction(@request(rpc.runFunction) body: RunFunctionRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(RunFunctionResponseSchema, await this.service.runFunction(caller, body));
  }

  @route('publishEvents')
  async publishEvents(@request(rpc.publishEvents) body: PublishEventsRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(PublishEventsResponseSchema, await this.service.publishEvents(caller, body));
  }
}
