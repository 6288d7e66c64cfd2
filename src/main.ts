import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { describeEmbeddedAuth } from './auth';
import { CatalogueError } from './catalogue/catalogue';
import { configureHttp } from './common/http/configure-app';
import { ConfigError, loadConfig, loadEnvFile, loadOperationsOptions, type AppConfig, type OperationsOptions } from './config';
import { setUpApiDocs } from './docs/api-docs';
import { GrpcServer } from './grpc/grpc.module';
import { ManagementServer } from './management/management-server';
import { installGracefulShutdown } from './observability/shutdown/graceful-shutdown';

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

  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, operations), {
      bodyParser: false,
      // Start-up logs wait for the JSON logger below instead of going out in Nest's text format.
      bufferLogs: true,
      abortOnError: false,
    });
  } catch (error) {
    if (error instanceof CatalogueError) fail(`Catalogue error (CATALOG_FILE): ${error.message}`);
    throw error;
  }
  const logger = app.get(Logger);
  app.useLogger(logger);
  // The first lines tell an operator in embedded mode how to get a token.
  for (const line of describeEmbeddedAuth(config)) logger.log(line, 'Auth');

  // Signals are answered by installGracefulShutdown below only.
  configureHttp(app, { nestShutdownHooks: false });
  setUpApiDocs(app);
  await app.listen(config.port);
  const grpc = app.get(GrpcServer);
  installGracefulShutdown(app, { graceMs: operations.shutdownGraceMs, logger, stopOtherServers: () => grpc.onApplicationShutdown() });
  logger.log(
    `Actions v3alpha service listening on port ${config.port} (REST, gRPC-web, Connect), ${grpc.port ?? config.grpcPort} (gRPC over h2c) and ${app.get(ManagementServer).port ?? config.managementPort} (metrics, readiness); event store: ${config.eventStore}`,
    'Main',
  );
}

main().catch((error: unknown) => {
  fail(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
