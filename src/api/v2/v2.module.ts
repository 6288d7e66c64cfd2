import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ActionService as V2ActionService } from '../../grpc/gen/zitadel/action/v2/action_service_pb';
import { ActionService as V2betaActionService } from '../../grpc/gen/zitadel/action/v2beta/action_service_pb';
import { ActionsV2Service } from './action-service';
import { actionsV2Controller } from './action-service.controller';

/** zitadel.action.v2 and v2beta: their REST routes here, their RPCs through the Connect router (GrpcModule). */
@Module({
  imports: [CqrsModule],
  controllers: [actionsV2Controller(V2ActionService), actionsV2Controller(V2betaActionService)],
  providers: [ActionsV2Service],
  exports: [ActionsV2Service],
})
export class ActionsV2Module {}
