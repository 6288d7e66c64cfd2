import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  Catch,
  Controller,
  Delete,
  Get,
  type ArgumentsHost,
  type ExceptionFilter,
  type INestApplication,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { SignJWT } from 'jose';
import request from 'supertest';
import { ApiError, httpStatusOf, toStatusBody } from '../common/errors/api-error';
import type { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, ensureEmbeddedKeys } from './embedded-keys';
import { AuthModule, CurrentCaller, Public, RequirePermission, signEmbeddedToken, type Caller } from './index';

/** Stand-in for the service's filter: renders ApiErrors as the spec's status body. */
@Catch(ApiError)
class ApiErrorFilter implements ExceptionFilter {
  catch(error: ApiError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse().status(httpStatusOf(error.code)).json(toStatusBody(error));
  }
}

const describeCaller = (caller: Caller) => ({ instanceId: caller.instanceId, subject: caller.subject, permissions: [...caller.permissions].sort() });

@Controller('probe')
class ProbeController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('whoami')
  whoami(@CurrentCaller() caller: Caller) {
    return describeCaller(caller);
  }

  @RequirePermission('execution.read')
  @Get('executions')
  list(@CurrentCaller() caller: Caller) {
    return { listedFor: caller.instanceId };
  }

  @RequirePermission('execution.delete')
  @Delete('executions')
  remove(@CurrentCaller() caller: Caller) {
    return { deletedBy: caller.subject };
  }
}

/** A controller marked public as a whole, with one method needing a permission after all. */
@Public()
@Controller('docs')
class DocsController {
  @Get()
  index() {
    return { docs: true };
  }

  @RequirePermission('execution.target.write')
  @Get('admin')
  admin() {
    return { admin: true };
  }
}

/** A controller requiring a permission for all its routes, except one. */
@RequirePermission('execution.target.read')
@Controller('targets')
class TargetsController {
  @Get()
  list() {
    return { targets: [] };
  }

  @Public()
  @Get('schema')
  schema() {
    return { schema: true };
  }
}

describe('AuthGuard', () => {
  let dataDir: string;
  let app: INestApplication;

  async function startApp(auth: Partial<AppConfig['auth']> = {}): Promise<INestApplication> {
    const config: AppConfig = {
      port: 8080,
      grpcPort: 8081,
      dataDir,
      eventStore: 'sqlite',
      auth: { embeddedKeys: true, ...auth },
      logLevel: 'silent',
    };
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), AuthModule],
      controllers: [ProbeController, DocsController, TargetsController],
      providers: [{ provide: APP_FILTER, useClass: ApiErrorFilter }],
    }).compile();
    const nestApp = moduleRef.createNestApplication({ logger: false });
    await nestApp.init();
    return nestApp;
  }

  const tokenFor = (claims: Partial<Parameters<typeof signEmbeddedToken>[1]>) =>
    signEmbeddedToken(dataDir, { instanceId: 'instance-1', subject: 'alice', ...claims });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'auth-guard-'));
    app = await startApp();
  });

  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets anyone reach a @Public() route', async () => {
    await request(app.getHttpServer()).get('/probe/health').expect(200, { status: 'ok' });
  });

  it('refuses a route without a token: 401, code 16, the "missing" id, in the status format', async () => {
    const response = await request(app.getHttpServer()).get('/probe/whoami').expect(401);
    expect(response.body).toEqual({
      code: 16,
      message: 'Authorization header with a Bearer token is required (AUTH-Hq2mB)',
      details: [
        {
          '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail',
          id: 'AUTH-Hq2mB',
          message: 'Authorization header with a Bearer token is required',
        },
      ],
    });
  });

  it('refuses a garbage token with the "invalid" id', async () => {
    const response = await request(app.getHttpServer()).get('/probe/whoami').set('Authorization', 'Bearer not-a-jwt').expect(401);
    expect(response.body).toMatchObject({ code: 16, details: [{ id: 'AUTH-w8Ktz', message: 'Token is malformed' }] });
  });

  it('refuses an expired token with the "expired" id', async () => {
    const keys = await ensureEmbeddedKeys(dataDir);
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ instance_id: 'instance-1', roles: ['IAM_OWNER'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: keys.kid })
      .setIssuer(EMBEDDED_ISSUER)
      .setAudience(EMBEDDED_AUDIENCE)
      .setSubject('alice')
      .setIssuedAt(past - 60)
      .setExpirationTime(past)
      .sign(keys.privateKey);
    const response = await request(app.getHttpServer()).get('/probe/whoami').set('Authorization', `Bearer ${expired}`).expect(401);
    expect(response.body).toMatchObject({ code: 16, message: 'Token expired (AUTH-t0Kx4)' });
  });

  it('injects the caller into a route that only needs a valid token', async () => {
    const token = await tokenFor({ roles: ['IAM_OWNER_VIEWER'] });
    const response = await request(app.getHttpServer()).get('/probe/whoami').set('Authorization', `Bearer ${token}`).expect(200);
    expect(response.body).toEqual({ instanceId: 'instance-1', subject: 'alice', permissions: ['action.execution.read', 'action.target.read', 'execution.read', 'execution.target.read'] });
  });

  it('refuses a caller lacking the permission: 403, code 7, AUTH-5mWD2, naming the permission needed', async () => {
    const viewer = await tokenFor({ roles: ['IAM_OWNER_VIEWER'] });
    const response = await request(app.getHttpServer()).delete('/probe/executions').set('Authorization', `Bearer ${viewer}`).expect(403);
    expect(response.body).toEqual({
      code: 7,
      message: 'No matching permissions found: the call needs execution.delete (AUTH-5mWD2)',
      details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'AUTH-5mWD2', message: 'No matching permissions found' }],
    });
  });

  it('maps roles to permissions: IAM_OWNER may delete, IAM_OWNER_VIEWER may read, other roles neither', async () => {
    const server = app.getHttpServer();
    const owner = await tokenFor({ roles: ['IAM_OWNER'] });
    const viewer = await tokenFor({ roles: ['IAM_OWNER_VIEWER'] });
    const stranger = await tokenFor({ roles: ['ORG_OWNER'] });
    await request(server).delete('/probe/executions').set('Authorization', `Bearer ${owner}`).expect(200, { deletedBy: 'alice' });
    await request(server).get('/probe/executions').set('Authorization', `Bearer ${viewer}`).expect(200, { listedFor: 'instance-1' });
    await request(server).get('/probe/executions').set('Authorization', `Bearer ${stranger}`).expect(403);
  });

  it('grants the permissions claim as is', async () => {
    const token = await tokenFor({ permissions: ['execution.delete'] });
    await request(app.getHttpServer()).delete('/probe/executions').set('Authorization', `Bearer ${token}`).expect(200);
    await request(app.getHttpServer()).get('/probe/executions').set('Authorization', `Bearer ${token}`).expect(403);
  });

  it('lets a method marker override its class: a permission inside a public controller, a public route inside a guarded one', async () => {
    const server = app.getHttpServer();
    await request(server).get('/docs').expect(200, { docs: true });
    await request(server).get('/docs/admin').expect(401);
    const owner = await tokenFor({ roles: ['IAM_OWNER'] });
    await request(server).get('/docs/admin').set('Authorization', `Bearer ${owner}`).expect(200);
    await request(server).get('/targets/schema').expect(200);
    await request(server).get('/targets').expect(401);
    const viewer = await tokenFor({ roles: ['IAM_OWNER_VIEWER'] });
    await request(server).get('/targets').set('Authorization', `Bearer ${viewer}`).expect(200);
  });

  it('keeps each caller in its own instance', async () => {
    const server = app.getHttpServer();
    const [first, second] = await Promise.all([tokenFor({ instanceId: 'tenant-a' }), tokenFor({ instanceId: 'tenant-b' })]);
    const responses = await Promise.all([
      request(server).get('/probe/whoami').set('Authorization', `Bearer ${first}`),
      request(server).get('/probe/whoami').set('Authorization', `Bearer ${second}`),
    ]);
    expect(responses.map((response) => response.body.instanceId)).toEqual(['tenant-a', 'tenant-b']);
  });

  it('uses a role map file instead of the built-in roles (AUTH_ROLE_MAP_FILE)', async () => {
    const roleMapFile = join(dataDir, 'roles.json');
    writeFileSync(roleMapFile, JSON.stringify({ ACTIONS_JANITOR: ['execution.delete'] }));
    const custom = await startApp({ roleMapFile });
    try {
      const janitor = await tokenFor({ roles: ['ACTIONS_JANITOR'] });
      const owner = await tokenFor({ roles: ['IAM_OWNER'] });
      await request(custom.getHttpServer()).delete('/probe/executions').set('Authorization', `Bearer ${janitor}`).expect(200);
      await request(custom.getHttpServer()).get('/probe/executions').set('Authorization', `Bearer ${janitor}`).expect(403);
      await request(custom.getHttpServer()).delete('/probe/executions').set('Authorization', `Bearer ${owner}`).expect(403);
    } finally {
      await custom.close();
    }
  });

  it('answers 503, code 14 when the JWKS URL cannot be reached', async () => {
    const refusedPort = await freePort();
    const unreachable = await startApp({ embeddedKeys: false, jwksUrl: `http://127.0.0.1:${refusedPort}/keys` });
    try {
      const token = await tokenFor({ roles: ['IAM_OWNER'] });
      const response = await request(unreachable.getHttpServer()).get('/probe/whoami').set('Authorization', `Bearer ${token}`).expect(503);
      expect(response.body).toMatchObject({ code: 14, details: [{ id: 'AUTH-9dJfx' }] });
    } finally {
      await unreachable.close();
    }
  });
});

/** A port on 127.0.0.1 with nothing listening: connections to it are refused. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
