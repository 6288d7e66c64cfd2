import { Module, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { NetworkPolicy } from '../common/network/network-policy';
import { TargetsModule } from '../targets/targets.module';
import { TargetCaller } from './calls/target-caller';
import { TargetHttpClient } from './calls/target-http-client';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { EventDeliveries } from './deliveries/event-deliveries';
import { ExecutionIndex } from './index/execution-index';
import { EventPublisher } from './publish/event-publisher';
import { RunService } from './run/run-service';

/** Closes the connection pools when the application stops. */
class TargetHttpClientLifecycle implements OnApplicationShutdown {
  constructor(@Inject(TargetHttpClient) private readonly client: TargetHttpClient) {}
  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

/** The Actions runtime: resolution of executions, calls to their targets, and event deliveries. */
@Module({
  imports: [CqrsModule, TargetsModule],
  providers: [
    { provide: TargetHttpClient, inject: [NetworkPolicy], useFactory: (policy: NetworkPolicy) => new TargetHttpClient(policy) },
    TargetHttpClientLifecycle,
    { provide: TargetCaller, inject: [TargetHttpClient], useFactory: (client: TargetHttpClient) => new TargetCaller(client) },
    ExecutionIndex,
    RunService,
    EventPublisher,
    EventDeliveries,
  ],
  controllers: [DeliveriesController],
  exports: [RunService, EventPublisher, ExecutionIndex, TargetCaller, EventDeliveries],
})
export class RuntimeModule {}
