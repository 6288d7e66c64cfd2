import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../../src/app.module';
import { configureHttp } from '../../../src/common/http/configure-app';
import { createHttpAdapter, type HttpApplication } from '../../../src/common/http/http-adapter';
import type { AppConfig } from '../../../src/config';
import { setUpApiDocs } from '../../../src/api/openapi/api-docs';

export interface RegisteredRoute {
  method: string;
  path: string;
}

const registeredRoutes = new WeakMap<object, RegisteredRoute[]>();

/** Every route the router of an app of startDocumentedApp() holds (automatic HEAD routes included), by lower-case method. */
export function routesOf(app: object): RegisteredRoute[] {
  return registeredRoutes.get(app) ?? [];
}

/**
 * The application set up as main.ts does beyond the shared HTTP set-up (API documentation),
 * on SQLite in a temp dir: for the parts test/support/test-app.ts does not mount.
 */
export async function startDocumentedApp(): Promise<{ app: HttpApplication; http(): TestAgent; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'actions-docs-'));
  const config: AppConfig = { port: 0, grpcPort: 0, dataDir, eventStore: 'sqlite', auth: { embeddedKeys: true }, logLevel: 'silent' };
  const app = await NestFactory.create<HttpApplication>(AppModule.forRoot(config), createHttpAdapter(), { bodyParser: false, logger: false });
  const routes: RegisteredRoute[] = [];
  app.getHttpAdapter().getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method: method.toLowerCase(), path: route.url });
  });
  registeredRoutes.set(app, routes);
  configureHttp(app);
  setUpApiDocs(app);
  await app.listen(0, '127.0.0.1');
  return {
    app,
    http: () => request(app.getHttpServer()),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
