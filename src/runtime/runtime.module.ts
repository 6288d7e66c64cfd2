import { Module, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { NetworkPolicy } from '../common/network/network-policy';
import { TargetsModule } from '../targets/targets.module';
import { ServiceMetrics } from '../observability/metrics/service-metrics';
import { TargetCaller, targetTypeName, type CallObserver } from './calls/target-caller';
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

/** Counts every target call and its duration, by target type and outcome. */
function targetCallMetrics(metrics: ServiceMetrics): CallObserver {
  return ({ target, outcome, durationMs }) => {
    const labels = { type: targetTypeName(target.targetType), outcome };
    metrics.targetCalls.inc(labels);
    metrics.targetCallDuration.observe(labels, durationMs / 1000);
  };
}

/** The Actions runtime: resolution of executions, calls to their targets, and event deliveries. */
@Module({
  imports: [CqrsModule, TargetsModule],
  providers: [
    { provide: TargetHttpClient, inject: [NetworkPolicy], useFactory: (policy: NetworkPolicy) => new TargetHttpClient(policy) },
    TargetHttpClientLifecycle,
    { provide: TargetCaller, inject: [TargetHttpClient, ServiceMetrics], useFactory: (client: TargetHttpClient, metrics: ServiceMetrics) => new TargetCaller(client, targetCallMetrics(metrics)) },
    ExecutionIndex,
    RunService,
    EventPublisher,
    EventDeliveries,
  ],
  controllers: [DeliveriesController],
  exports: [RunService, EventPublisher, ExecutionIndex, TargetCaller, EventDeliveries],
})
export class RuntimeModule {}
