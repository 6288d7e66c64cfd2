import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescService } from '@bufbuild/protobuf';
import { createClient, type Client, type Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { EventStore } from '@app/event-store';
import request from 'supertest';
import { AppModule } from '../../../src/app.module';
import { signEmbeddedToken } from '../../../src/auth';
import { configureHttp } from '../../../src/common/http/configure-app';
import { createHttpAdapter, type HttpApplication } from '../../../src/common/http/http-adapter';
import type { AppConfig } from '../../../src/config';
import { loadOperationsOptions, type OperationsOptions } from '../../../src/config/operations-options';
import { ActionService } from '../../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { GrpcModule, GrpcServer } from '../../../src/grpc/grpc.module';
import { EVENT_STORE } from '../../../src/persistence/persistence.tokens';
import { ALL_ROLES, type TestApp } from '../../support/test-app';
import { ManagementServer } from '../../../src/management/management-server';

/** The three wire protocols a client can use, and where each is served. */
export type Protocol = 'grpc' | 'grpc-web' | 'connect';

export const PROTOCOLS: readonly Protocol[] = ['grpc', 'grpc-web', 'connect'];

/** Every protocol on the h2c port, and gRPC-web and Connect on the HTTP port too: [name, protocol, onH2c]. */
export const RPC_ROUTES: ReadonlyArray<[string, Protocol, boolean]> = [
  ...PROTOCOLS.map((protocol): [string, Protocol, boolean] => [`${protocol} on the h2c port`, protocol, true]),
  ['grpc-web on the HTTP port', 'grpc-web', false],
  ['connect on the HTTP port', 'connect', false],
];

export interface GrpcTestApp extends TestApp {
  /** Port of the h2c server (GRPC_PORT). */
  readonly grpcPort: number;
  /** Base URL of the main HTTP/1.1 port. */
  readonly httpUrl: string;
  /**
   * A transport for `protocol`: native gRPC on the h2c port; gRPC-web and Connect (JSON) on the
   * main HTTP/1.1 port, where browsers and REST clients reach them; `onH2c` sends those two to
   * the h2c port instead.
   */
  transport(protocol: Protocol, options?: { onH2c?: boolean }): Transport;
  client<S extends DescService>(service: S, protocol: Protocol, options?: { onH2c?: boolean }): Client<S>;
  actionClient(protocol: Protocol): Client<typeof ActionService>;
}

@Module({})
class GrpcTestRootModule {
  static forRoot(config: AppConfig, operations: OperationsOptions): DynamicModule {
    // GrpcModule is imported next to the application module so this works whether or not the
    // application module imports it itself (Nest instantiates a module once).
    return { module: GrpcTestRootModule, imports: [AppModule.forRoot(config, operations), GrpcModule] };
  }
}

/**
 * The real application (SQLite in a temp data dir; the transports do not depend on the store,
 * which the REST suites cover on both set-ups) with its HTTP port and its h2c port on random
 * ports, set up exactly as main.ts does.
 */
export async function startGrpcTestApp(overrides: Partial<AppConfig> = {}, operations: Partial<OperationsOptions> = {}): Promise<GrpcTestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'actions-grpc-e2e-'));
  const config: AppConfig = { port: 0, grpcPort: 0, managementPort: 0, dataDir, eventStore: 'sqlite', auth: { embeddedKeys: true }, logLevel: 'silent', ...overrides };
  const app = await NestFactory.create<HttpApplication>(GrpcTestRootModule.forRoot(config, loadOperationsOptions(process.env, operations)), createHttpAdapter(), { bodyParser: false, logger: false });
  configureHttp(app);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer();
  const httpUrl = await app.getUrl();
  const grpcPort = app.get(GrpcServer).port;
  if (grpcPort === undefined) throw new Error('the h2c server did not start');
  const h2cUrl = `http://127.0.0.1:${grpcPort}`;

  const transport = (protocol: Protocol, options: { onH2c?: boolean } = {}): Transport => {
    const onH2c = options.onH2c === true || protocol === 'grpc';
    const common = { baseUrl: onH2c ? h2cUrl : httpUrl, httpVersion: onH2c ? ('2' as const) : ('1.1' as const) };
    switch (protocol) {
      case 'grpc':
        return createGrpcTransport({ baseUrl: h2cUrl });
      case 'grpc-web':
        return createGrpcWebTransport(common);
      case 'connect':
        return createConnectTransport({ ...common, useBinaryFormat: false });
    }
  };

  return {
    app,
    config,
    grpcPort,
    httpUrl,
    store: app.get<EventStore>(EVENT_STORE),
    http: () => request(server),
    management: () => request(`http://127.0.0.1:${app.get(ManagementServer).port}`),
    token: (instanceId, claims = {}) => signEmbeddedToken(dataDir, { instanceId, roles: ALL_ROLES, ...claims }),
    transport,
    client: (service, protocol, options) => createClient(service, transport(protocol, options)),
    actionClient: (protocol) => createClient(ActionService, transport(protocol)),
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Call options carrying a bearer token in the `authorization` metadata. */
export const bearer = (token: string): { headers: Record<string, string> } => ({ headers: { authorization: `Bearer ${token}` } });
