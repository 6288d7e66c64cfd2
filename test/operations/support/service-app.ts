import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../../src/app.module';
import { configureHttp } from '../../../src/common/http/configure-app';
import type { AppConfig } from '../../../src/config';
import { setUpApiDocs } from '../../../src/api/openapi/api-docs';

/**
 * The application set up as main.ts does beyond the shared HTTP set-up (API documentation),
 * on SQLite in a temp dir: for the parts test/support/test-app.ts does not mount.
 */
export async function startDocumentedApp(): Promise<{ app: NestExpressApplication; http(): TestAgent; close(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'actions-docs-'));
  const config: AppConfig = { port: 0, grpcPort: 0, dataDir, eventStore: 'sqlite', auth: { embeddedKeys: true }, logLevel: 'silent' };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bodyParser: false, logger: false });
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
