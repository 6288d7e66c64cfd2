import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { loggingParams } from './logging/logging-params';
import { CommandMetrics } from './metrics/command-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { ServiceMetrics } from './metrics/service-metrics';
import { OPERATIONS_OPTIONS, type OperationsOptions } from './operations-options';
import { HttpContextMount } from './request/http-context.mount';
import { ShutdownState } from './shutdown/shutdown-state';

/**
 * Seeing the running service: JSON logs with request ids (nestjs-pino), Prometheus metrics
 * (/metrics), the request context that puts correlation ids into stored events, and the
 * operations options every other operational module reads.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(operations: OperationsOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [DiscoveryModule, LoggerModule.forRootAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => loggingParams(config) })],
      controllers: [MetricsController],
      providers: [
        { provide: OPERATIONS_OPTIONS, useValue: operations },
        { provide: ServiceMetrics, useFactory: () => new ServiceMetrics() },
        CommandMetrics,
        ShutdownState,
        HttpContextMount,
      ],
      exports: [OPERATIONS_OPTIONS, ServiceMetrics, ShutdownState],
    };
  }
}
