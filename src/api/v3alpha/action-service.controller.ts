import type { DescMethod } from '@bufbuild/protobuf';
import { applyDecorators, Controller } from '@nestjs/common';
import { CurrentCaller, RequirePermission, type Caller } from '../../auth';
import {
  ActionService,
  CreateTargetResponseSchema,
  DeleteExecutionResponseSchema,
  DeleteTargetResponseSchema,
  GetTargetByIDResponseSchema,
  ListExecutionFunctionsResponseSchema,
  ListExecutionMethodsResponseSchema,
  ListExecutionServicesResponseSchema,
  ListExecutionsResponseSchema,
  ListTargetsResponseSchema,
  SetExecutionResponseSchema,
  UpdateTargetResponseSchema,
  type CreateTargetRequest,
  type DeleteExecutionRequest,
  type DeleteTargetRequest,
  type GetTargetByIDRequest,
  type ListExecutionsRequest,
  type ListTargetsRequest,
  type SetExecutionRequest,
  type UpdateTargetRequest,
} from '../../grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { RestRequest, RestRoute } from '../rest/rest-route';
import { toRestJson } from '../rest/rest-json';
import { V3alphaActionService } from './action-service';
import { ACTION_SERVICE_PERMISSIONS } from '../../grpc/auth/rpc-permissions';
import { V3ALPHA_DOCS } from './rest-docs';

type Rpc = keyof typeof ActionService.method;
const rpc = ActionService.method;

/**
 * The RPC's REST route (verb and path from its google.api.http option, success status from the
 * docs table) and its permission (the table every transport uses).
 */
const route = (name: Rpc): MethodDecorator =>
  applyDecorators(RestRoute(rpc[name], { status: V3ALPHA_DOCS.rpcs[name].status }), RequirePermission(ACTION_SERVICE_PERMISSIONS[name]));

const request = (method: DescMethod): ParameterDecorator => RestRequest(method);

/** The REST entry points of zitadel.action.v3alpha.ActionService: decode, call, encode. */
@Controller()
export class V3alphaActionServiceController {
  constructor(private readonly service: V3alphaActionService) {}

  @route('createTarget')
  async createTarget(@request(rpc.createTarget) body: CreateTargetRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(CreateTargetResponseSchema, await this.service.createTarget(caller, body));
  }

  @route('updateTarget')
  async updateTarget(@request(rpc.updateTarget) body: UpdateTargetRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(UpdateTargetResponseSchema, await this.service.updateTarget(caller, body));
  }

  @route('deleteTarget')
  async deleteTarget(@request(rpc.deleteTarget) body: DeleteTargetRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(DeleteTargetResponseSchema, await this.service.deleteTarget(caller, body));
  }

  @route('getTargetByID')
  async getTargetByID(@request(rpc.getTargetByID) body: GetTargetByIDRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(GetTargetByIDResponseSchema, await this.service.getTargetByID(caller, body));
  }

  @route('listTargets')
  async listTargets(@request(rpc.listTargets) body: ListTargetsRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(ListTargetsResponseSchema, await this.service.listTargets(caller, body));
  }

  @route('setExecution')
  async setExecution(@request(rpc.setExecution) body: SetExecutionRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(SetExecutionResponseSchema, await this.service.setExecution(caller, body));
  }

  @route('deleteExecution')
  async deleteExecution(@request(rpc.deleteExecution) body: DeleteExecutionRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(DeleteExecutionResponseSchema, await this.service.deleteExecution(caller, body));
  }

  @route('listExecutions')
  async listExecutions(@request(rpc.listExecutions) body: ListExecutionsRequest, @CurrentCaller() caller: Caller): Promise<object> {
    return toRestJson(ListExecutionsResponseSchema, await this.service.listExecutions(caller, body));
  }

  @route('listExecutionFunctions')
  async listExecutionFunctions(): Promise<object> {
    return toRestJson(ListExecutionFunctionsResponseSchema, await this.service.listExecutionFunctions());
  }

  @route('listExecutionMethods')
  async listExecutionMethods(): Promise<object> {
    return toRestJson(ListExecutionMethodsResponseSchema, await this.service.listExecutionMethods());
  }

  @route('listExecutionServices')
  async listExecutionServices(): Promise<object> {
    return toRestJson(ListExecutionServicesResponseSchema, await this.service.listExecutionServices());
  }
}
