import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RuntimeV1Module } from './api/runtime-v1/runtime-v1.module';
import { ActionsV2Module } from './api/v2/v2.module';
import { V3alphaModule } from './api/v3alpha/v3alpha.module';
import { AuthModule } from './auth';
import { ConsistencyModule } from './consistency/consistency.module';
import { CryptoModule } from './common/crypto/crypto.module';
import { NetworkModule } from './common/network/network.module';
import { ConfigModule, type AppConfig } from './config';
import { ConsoleModule } from './console/console.module';
import { EventStreamModule } from './event-stream/event-stream.module';
import { ExecutionsModule } from './executions/executions.module';
import { GrpcModule } from './grpc/grpc.module';
import { HealthModule } from './health/health.module';
import { ManagementModule } from './management/management.module';
import { ObservabilityModule } from './observability/observability.module';
import { loadOperationsOptions, type OperationsOptions } from './observability/operations-options';
import { PersistenceModule } from './persistence/persistence.module';
import { SERVICE_PROJECTIONS } from './persistence/service-projections';
import { RuntimeModule } from './runtime/runtime.module';
import { SubscribersModule } from './subscribers/subscribers.module';
import { SystemModule } from './system/system.module';
import { TargetsModule } from './targets/targets.module';

/** Every projection the service runs. */
export const PROJECTIONS = SERVICE_PROJECTIONS;

@Module({})
export class AppModule {
  /**
   * The whole service for `config` (tests pass a temp dataDir or a PostgreSQL schema): REST,
   * gRPC / gRPC-web / Connect on the same buses, and the operational endpoints. `operations`
   * defaults to the environment's settings (see operations-options.ts).
   */
  static forRoot(config: AppConfig, operations: OperationsOptions = loadOperationsOptions(process.env)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot(operations),
        CqrsModule.forRoot(),
        CryptoModule,
        NetworkModule,
        ConsistencyModule,
        AuthModule,
        PersistenceModule.forRoot(PROJECTIONS),
        TargetsModule,
        ExecutionsModule,
        RuntimeModule,
        V3alphaModule,
        ActionsV2Module,
        RuntimeV1Module,
        GrpcModule,
        HealthModule,
        ManagementModule,
        SubscribersModule,
        SystemModule,
        EventStreamModule,
        ConsoleModule,
      ],
    };
  }
}
