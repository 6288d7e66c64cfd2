import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { V3alphaActionService } from './action-service';
import { V3alphaActionServiceController } from './action-service.controller';

/** zitadel.action.v3alpha.ActionService: its REST routes here, its RPCs through the Connect router (GrpcModule). */
@Module({
  imports: [CqrsModule],
  controllers: [V3alphaActionServiceController],
  providers: [V3alphaActionService],
  exports: [V3alphaActionService],
})
export class V3alphaModule {}
