import { Module } from '@nestjs/common';
import { RuntimeModule } from '../runtime/runtime.module';
import { SubscribersModule } from '../subscribers/subscribers.module';
import { SystemDeliveriesController } from './deliveries.controller';
import { ProjectionRebuilds } from './projection-rebuilds';
import { ProjectionsController } from './projections.controller';
import { RebuildJobStore } from './rebuild-job-store';
import { SubscribersController } from './subscribers.controller';

/** The operations endpoints (/system/v1) for SYSTEM_OWNER: projections, rebuilds, subscribers, parked deliveries of every instance. */
@Module({
  imports: [SubscribersModule, RuntimeModule],
  providers: [ProjectionRebuilds, RebuildJobStore],
  controllers: [ProjectionsController, SubscribersController, SystemDeliveriesController],
})
export class SystemModule {}
