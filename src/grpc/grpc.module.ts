import type { Caller } from '../auth/caller';
import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ConnectRouter } from '@connectrpc/connect';
import { AuthModule } from '../auth/auth.module';
import { TenantRateLimiter } from '../auth/tenant-rate-limiter';
import { TokenVerifier } from '../auth/token-verifier';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../observability/operations-options';
import { registerActionService, registerRpcService } from './action-service.routes';
import { classifyError } from './errors/classify-error';
import { ActionService, file_zitadel_action_v3alpha_action_service } from './gen/zitadel/action/v3alpha/action_service_pb';
import { rpcImplementation } from '../api/rpc/rpc-implementation';
import { V3alphaActionService } from '../api/v3alpha/action-service';
import { V3alphaModule } from '../api/v3alpha/v3alpha.module';
import { ActionsV2Service } from '../api/v2/action-service';
import { ACTIONS_V2_PERMISSIONS } from '../api/v2/rest-docs';
import { ACTIONS_V2_PACKAGES, rpcsOf } from '../api/v2/rpc-services';
import { ActionsV2Module } from '../api/v2/v2.module';
import { RUNTIME_V1_PERMISSIONS } from '../api/runtime-v1/rest-docs';
import { RuntimeV1Service } from '../api/runtime-v1/runtime-service';
import { RuntimeV1Module } from '../api/runtime-v1/runtime-v1.module';
import { file_actions_runtime_v1_runtime_service, RuntimeService } from './gen/actions/runtime/v1/runtime_service_pb';
import { file_zitadel_action_v2_action_service } from './gen/zitadel/action/v2/action_service_pb';
import { file_zitadel_action_v2beta_action_service } from './gen/zitadel/action/v2beta/action_service_pb';
import { file_zitadel_v1_error_detail } from './gen/zitadel/v1/error_detail_pb';
import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { addFrontDoorStep, FrontDoorOrder } from '../common/http/front-door';
import { createH2cHandler, registerHttpPortRpc, unknownGrpcMethodStep } from './server/connect-handlers';
import { H2cServer } from './server/h2c-server';
import { ServiceMetrics } from '../observability/metrics/service-metrics';
import { withRequestContext } from './server/request-context';

/** The ActionService routes of every API version (with auth and error mapping), shared by both ports. */
@Injectable()
export class ActionServiceRoutes {
  private readonly logger = new Logger('gRPC');

  constructor(
    private readonly service: V3alphaActionService,
    private readonly actionsV2: ActionsV2Service,
    private readonly runtime: RuntimeV1Service,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(TenantRateLimiter) private readonly limiter: TenantRateLimiter,
  ) {}

  readonly register = (router: ConnectRouter): void => {
    const options = {
      authenticate: async (authorization: string | undefined, verified?: Caller) => {
        const caller = verified ?? (await this.verifier.verify(authorization));
        this.limiter.take(caller.instanceId);
        return caller;
      },
      verifyToken: (authorization: string | undefined) => this.verifier.verify(authorization),
      toApiError: classifyError,
      logFailure: (error: unknown, rpc: string) => this.logger.error(`${rpc} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    };
    registerActionService(router, rpcImplementation(ActionService, this.service), options);
    for (const service of ACTIONS_V2_PACKAGES) {
      registerRpcService(router, service, rpcImplementation(service, rpcsOf(service, this.actionsV2)), ACTIONS_V2_PERMISSIONS, options);
    }
    registerRpcService(router, RuntimeService, rpcImplementation(RuntimeService, this.runtime), RUNTIME_V1_PERMISSIONS, options);
  };
}

/**
 * The h2c port (GRPC_PORT): native gRPC, gRPC-web and Connect, plus server reflection. Listens
 * once the application has started and closes with it.
 */
@Injectable()
export class GrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('gRPC');
  private readonly server: H2cServer;
  private boundPort: number | undefined;

  constructor(
    routes: ActionServiceRoutes,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    metrics: ServiceMetrics,
    @Inject(OPERATIONS_OPTIONS) operations: OperationsOptions,
  ) {
    const reflected = [file_zitadel_action_v3alpha_action_service, file_zitadel_action_v2_action_service, file_zitadel_action_v2beta_action_service, file_actions_runtime_v1_runtime_service, file_zitadel_v1_error_detail];
    this.server = new H2cServer(withRequestContext(createH2cHandler(routes.register, reflected), metrics), { idleTimeoutMs: operations.grpcIdleTimeoutMs });
    // gRPC-web and Connect on the HTTP port too. A standalone application context (the CLI)
    // has no HTTP adapter.
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    const served = registerHttpPortRpc(adapter.getInstance<FastifyInstance>(), routes.register);
    addFrontDoorStep(adapter.getHttpServer() as Server, FrontDoorOrder.unknownRpcMethods, unknownGrpcMethodStep(served));
  }

  /** The port the h2c server listens on (resolves GRPC_PORT=0), once started. */
  get port(): number | undefined {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.adapterHost.httpAdapter) return;
    this.boundPort = await this.server.listen(this.config.grpcPort);
    this.logger.log(`gRPC, gRPC-web and Connect (h2c) listening on port ${this.boundPort}`);
  }

  /** Sends GOAWAY on every session, lets calls in flight finish for up to `graceMs`, then closes. */
  close(graceMs?: number): Promise<void> {
    return this.server.close(graceMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
  }
}

/**
 * Serves the Actions API over gRPC, gRPC-web and Connect: on the h2c port `grpcPort`, and (as
 * gRPC-web and Connect) on the main HTTP port under `/zitadel.action.v3alpha.ActionService/*`.
 * Import it into the application module; it needs APP_CONFIG and the CQRS buses.
 */
@Module({
  imports: [AuthModule, V3alphaModule, ActionsV2Module, RuntimeV1Module],
  providers: [
    ActionServiceRoutes,
    GrpcServer,
  ],
  exports: [GrpcServer],
})
export class GrpcModule {}
