import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { currentRuntime, describeEmbeddedAuth } from './auth';
import { CatalogueError } from './catalogue/catalogue';
import { configureHttp } from './common/http/configure-app';
import { createHttpAdapter, type HttpApplication } from './common/http/http-adapter';
import { ConfigError, loadConfig, loadEnvFile, loadOperationsOptions, type AppConfig, type OperationsOptions } from './config';
import { setUpApiDocs } from './api/openapi/api-docs';
import { GrpcServer } from './grpc/grpc.module';
import { ManagementServer } from './management/management-server';
import { createRootLogger } from './observability/logging/root-logger';
import { ServiceLogger } from './observability/logging/service-logger';
import { explainStartupFailure } from './persistence/startup-failure';
import { installGracefulShutdown } from './observability/shutdown/graceful-shutdown';
import { closeAfterDrain, HttpDrain } from './observability/shutdown/http-drain';

/** Every interface, IPv6 and IPv4, as a Node server listens without a host (Fastify's default is localhost only). */
const ALL_INTERFACES = '::';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: AppConfig;
  let operations: OperationsOptions;
  try {
    loadEnvFile();
    config = loadConfig(process.env);
    operations = loadOperationsOptions(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(`Configuration error (${error.variable}): ${error.message}`);
    throw error;
  }

  let app: HttpApplication;
  try {
    app = await NestFactory.create<HttpApplication>(AppModule.forRoot(config, operations), createHttpAdapter(), {
      bodyParser: false,
      // Start-up lines in the service's format; a failure is reported once, below, not also by
      // Nest's exception handler.
      logger: new ServiceLogger(createRootLogger(config), { ignoredContexts: ['ExceptionHandler'] }),
      abortOnError: false,
    });
  } catch (error) {
    if (error instanceof CatalogueError) fail(`Catalogue error (CATALOG_FILE): ${error.message}`);
    const explained = explainStartupFailure(error, config.databaseUrl);
    if (explained !== undefined) fail(`Start-up failed: ${explained}`);
    throw error;
  }
  const logger = app.get(ServiceLogger);
  app.useLogger(logger);

  // Signals are answered by installGracefulShutdown below only.
  configureHttp(app, { nestShutdownHooks: false });
  setUpApiDocs(app);
  // A client that reuses a kept-alive connection sends within a round trip of its last answer;
  // one idle this long at shutdown is closed (as the keep-alive timeout would close it anyway).
  const drain = new HttpDrain(app.getHttpServer(), Math.min(1_000, operations.httpKeepAliveTimeoutMs));
  closeAfterDrain(app.getHttpAdapter(), drain);
  await app.listen(config.port, ALL_INTERFACES);
  const grpc = app.get(GrpcServer);
  installGracefulShutdown(app, { graceMs: operations.shutdownGraceMs, logger, drain, stopOtherServers: () => grpc.close(operations.shutdownGraceMs) });
  logger.log(
    `Actions v3alpha service listening on port ${config.port} (REST, gRPC-web, Connect), ${grpc.port ?? config.grpcPort} (gRPC over h2c) and ${app.get(ManagementServer).port ?? config.managementPort} (metrics, readiness); event store: ${config.eventStore}`,
    'Main',
  );
  // The last lines of start-up, where a terminal shows them: how to get a token in embedded mode.
  for (const line of describeEmbeddedAuth(config, currentRuntime())) logger.log(line, 'Auth');
}

main().catch((error: unknown) => {
  fail(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
