import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuthModule } from './auth';
import { ConfigModule, type AppConfig } from './config';
import { ExecutionsModule } from './executions/executions.module';
import { GrpcModule } from './grpc/grpc.module';
import { executionsProjection } from './executions/projection/executions.projection';
import { PersistenceModule } from './persistence/persistence.module';
import { TargetsModule } from './targets/targets.module';
import { targetsProjection } from './targets/projection/targets.projection';

/** Every projection the service runs. */
export const PROJECTIONS = [executionsProjection, targetsProjection] as const;

@Module({})
export class AppModule {
  /**
   * The whole service for `config` (tests pass a temp dataDir or a PostgreSQL schema): REST,
   * and gRPC / gRPC-web / Connect on the same buses.
   */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), CqrsModule.forRoot(), AuthModule, PersistenceModule.forRoot(PROJECTIONS), TargetsModule, ExecutionsModule, GrpcModule],
    };
  }
}
