import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { describeEmbeddedAuth } from './auth';
import { CatalogueError } from './catalogue/catalogue';
import { configureHttp } from './common/http/configure-app';
import { nestLogLevels } from './common/logging/nest-log-levels';
import { ConfigError, loadConfig, type AppConfig } from './config';
import { GrpcServer } from './grpc/grpc.module';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(`Configuration error (${error.variable}): ${error.message}`);
    throw error;
  }
  // The first lines tell an operator in embedded mode how to get a token.
  for (const line of describeEmbeddedAuth(config)) console.log(line);

  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
      bodyParser: false,
      logger: nestLogLevels(config.logLevel),
      abortOnError: false,
    });
  } catch (error) {
    if (error instanceof CatalogueError) fail(`Catalogue error (CATALOG_FILE): ${error.message}`);
    throw error;
  }
  configureHttp(app);
  await app.listen(config.port);
  console.log(
    `Actions v3alpha service listening on port ${config.port} (REST, gRPC-web, Connect) and ${app.get(GrpcServer).port ?? config.grpcPort} (gRPC over h2c); event store: ${config.eventStore}`,
  );
}

main().catch((error: unknown) => {
  fail(`Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
