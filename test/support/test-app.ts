import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { EventFilter, EventStore, StoredEvent } from '@app/event-store';
import { Client } from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../src/app.module';
import { signEmbeddedToken } from '../../src/auth';
import { configureHttp } from '../../src/common/http/configure-app';
import { createHttpAdapter, type HttpApplication } from '../../src/common/http/http-adapter';
import type { AppConfig } from '../../src/config';
import { loadOperationsOptions, type OperationsOptions } from '../../src/config/operations-options';
import type { AppendTrackingEventStore } from '../../src/persistence/append-tracking-event-store';
import { ManagementServer } from '../../src/management/management-server';
import { EVENT_STORE } from '../../src/persistence/persistence.tokens';

export type StoreSetup = 'sqlite' | 'postgres';

/** Both storage set-ups every end-to-end suite runs against. */
export const STORE_SETUPS: readonly StoreSetup[] = ['sqlite', 'postgres'];

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const ALL_ROLES = ['IAM_OWNER'];

export interface TestApp {
  readonly app: HttpApplication;
  readonly config: AppConfig;
  /** The app's own event store. */
  readonly store: EventStore;
  /** supertest bound to the running server. */
  http(): TestAgent;
  /** supertest bound to the management port (`/metrics`, `/readyz`, `/healthz`). */
  management(): TestAgent;
  /** A token of the embedded key pair for `instanceId` (IAM_OWNER unless told otherwise). */
  token(instanceId: string, claims?: { roles?: string[]; permissions?: string[]; subject?: string; expiresInSeconds?: number }): Promise<string>;
  close(): Promise<void>;
}


async function withPg<T>(job: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await job(client);
  } finally {
    await client.end();
  }
}

/**
 * Builds the real application on a fresh temp data dir and, for PostgreSQL, in a fresh
 * schema of its own (dropped on close), so test files never share state.
 */
export async function startTestApp(setup: StoreSetup, overrides: Partial<AppConfig> = {}, operations: Partial<OperationsOptions> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'actions-e2e-'));
  const schema = setup === 'postgres' ? `e2e_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}` : undefined;
  if (schema) await withPg((client) => client.query(`CREATE SCHEMA ${client.escapeIdentifier(schema)}`));
  const config: AppConfig = {
    port: 0,
    grpcPort: 0,
    managementPort: 0,
    dataDir,
    eventStore: schema ? 'postgres' : 'sqlite',
    ...(schema ? { databaseUrl: `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}` } : {}),
    auth: { embeddedKeys: true },
    logLevel: 'silent',
    ...overrides,
  };
  return serve(config, operations, async () => {
    if (schema) await withPg((client) => client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`));
    rmSync(dataDir, { recursive: true, force: true });
  });
}

/**
 * A second replica of `primary`: the same configuration (database schema, and the data dir
 * holding the embedded key pair, so the same tokens are accepted) in an application of its
 * own. Close it before the primary, which drops the storage.
 */
export function startReplica(primary: TestApp, operations: Partial<OperationsOptions> = {}): Promise<TestApp> {
  if (primary.config.eventStore !== 'postgres') throw new Error('Replicas share a PostgreSQL database');
  return serve(primary.config, operations, async () => undefined);
}

async function serve(config: AppConfig, operations: Partial<OperationsOptions>, dropStorage: () => Promise<void>): Promise<TestApp> {
  const app = await NestFactory.create<HttpApplication>(AppModule.forRoot(config, loadOperationsOptions(process.env, operations)), createHttpAdapter(), { bodyParser: false, logger: false });
  configureHttp(app);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  return {
    app,
    config,
    store: app.get<EventStore>(EVENT_STORE),
    http: () => request(server),
    management: () => request(`http://127.0.0.1:${app.get(ManagementServer).port}`),
    token: (instanceId, claims = {}) => signEmbeddedToken(config.dataDir, { instanceId, roles: ALL_ROLES, ...claims }),
    async close() {
      await app.close();
      await dropStorage();
    },
  };
}

/**
 * Every stored event matching `filter`, once the store shows all appends the app made so far
 * (a PostgreSQL store's head can trail a write that already returned).
 */
export async function storedEvents(testApp: TestApp, filter: EventFilter): Promise<StoredEvent[]> {
  const store = testApp.app.get<AppendTrackingEventStore>(EVENT_STORE);
  const deadline = Date.now() + 10_000;
  while ((await store.headPosition()) < store.lastAppendPosition) {
    if (Date.now() > deadline) throw new Error('the event store never showed the appends made');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return (await store.readAll({ filter })).events;
}
