import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../app.module';
import { loadConfig } from '../../config/load-config';
import { loadOperationsOptions } from '../../observability/operations-options';
import type { CliIo } from '../cli-io';

/**
 * The service's own wiring (command handlers, subscribers) without its servers, and without
 * running projections or subscribers live: for commands that must act exactly as the service
 * does, such as delivering failed events again.
 */
export async function withServiceContext<T>(io: CliIo, work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, loadOperationsOptions(io.env, { live: false })), {
    logger: false,
    abortOnError: false,
  });
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}
