import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { createRootLogger } from './logging/root-logger';
import { ServiceLogger } from './logging/service-logger';
import { CommandMetrics } from './metrics/command-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { ServiceMetrics } from './metrics/service-metrics';
import { OPERATIONS_OPTIONS, type OperationsOptions } from './operations-options';
import { HttpContextMount } from './request/http-context.mount';

/**
 * Seeing the running service: logs with request ids (pino; JSON, or pretty lines on a terminal), Prometheus metrics
 * (/metrics), the request context that puts correlation ids into stored events, and the
 * operations options every other operational module reads.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(operations: OperationsOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [DiscoveryModule],
      controllers: [MetricsController],
      providers: [
        { provide: OPERATIONS_OPTIONS, useValue: operations },
        { provide: ServiceLogger, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new ServiceLogger(createRootLogger(config)) },
        { provide: ServiceMetrics, useFactory: () => new ServiceMetrics() },
        CommandMetrics,
        HttpContextMount,
      ],
      exports: [OPERATIONS_OPTIONS, ServiceMetrics, ServiceLogger],
    };
  }
}
