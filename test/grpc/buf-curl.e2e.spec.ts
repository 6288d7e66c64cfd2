import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceProcess } from '../../bench/support/service-process';
import { repoRoot } from '../../bench/support/repo-root';
import { ServiceStorage } from '../../bench/support/storage';
import { signEmbeddedToken } from '../../src/auth';

jest.setTimeout(120_000);

const run = promisify(execFile);
const BUF = join(repoRoot(), 'node_modules', '.bin', 'buf');
const SERVICE = 'zitadel.action.v3alpha.ActionService';

/** `buf curl` as the README shows it; resolves to its exit code and output whatever the code. */
async function bufCurl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(BUF, ['curl', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The JSON log records of the service. */
function logRecords(service: ServiceProcess): Array<Record<string, unknown>> {
  return readFileSync(service.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('buf curl, the client the README documents, against the service', () => {
  let storage: ServiceStorage;
  let service: ServiceProcess;
  let token: string;
  let image: string;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
    storage = await ServiceStorage.create('sqlite');
    image = join(storage.dataDir, 'actions.binpb');
    execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'proto.mjs'), 'image', image], { stdio: 'inherit' });
    service = await ServiceProcess.start({ storage, logLevel: 'info' });
    token = await signEmbeddedToken(storage.dataDir, { instanceId: 'buf-instance', roles: ['IAM_OWNER'], subject: 'buf-user' });
  });
  afterAll(async () => {
    await service?.stop();
    await storage?.drop();
  });

  it('lists the services by reflection on the gRPC port', async () => {
    const listed = await bufCurl(['--http2-prior-knowledge', '--list-services', `http://127.0.0.1:${service.grpcPort}`]);
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.stdout.split('\n')).toEqual(expect.arrayContaining([SERVICE, 'zitadel.action.v2.ActionService']));
  });

  it('calls an RPC over gRPC on the gRPC port, and the call is logged with its RPC, gRPC code, caller and request id', async () => {
    const missing = await bufCurl([
      '--http2-prior-knowledge',
      '--protocol',
      'grpc',
      '-H',
      `Authorization: Bearer ${token}`,
      '-H',
      'x-request-id: buf-curl-1',
      '-d',
      '{"targetId": "1"}',
      `http://127.0.0.1:${service.grpcPort}/${SERVICE}/GetTargetByID`,
    ]);
    expect(missing.code).not.toBe(0);
    // buf curl writes the error status to stderr.
    expect(JSON.parse(missing.stderr)).toMatchObject({ code: 'not_found', message: 'Target not found (COMMAND-xj14f2cccn)' });

    const deadline = Date.now() + 5_000;
    let record: Record<string, unknown> | undefined;
    while (!(record = logRecords(service).find((line) => line.requestId === 'buf-curl-1')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(record).toMatchObject({
      level: 30,
      msg: 'request completed',
      rpc: { method: `/${SERVICE}/GetTargetByID`, code: 'NOT_FOUND', protocol: 'grpc' },
      errorId: 'COMMAND-xj14f2cccn',
      caller: { sub: 'buf-user', instance: 'buf-instance' },
    });
    expect(logRecords(service).filter((line) => line.requestId === 'buf-curl-1')).toHaveLength(1);

    const metrics = await (await fetch(service.managementUrl('/metrics'))).text();
    expect(metrics).toContain(`actions_http_requests_total{method="POST",route="/${SERVICE}/GetTargetByID",status="NOT_FOUND"} 1`);
  });

  it('calls an RPC over Connect and gRPC-web on the main port with the compiled protos as schema', async () => {
    for (const protocol of ['connect', 'grpcweb']) {
      const listed = await bufCurl(['--schema', image, '--protocol', protocol, '-H', `Authorization: Bearer ${token}`, '-d', '{}', `http://127.0.0.1:${service.port}/${SERVICE}/ListExecutionServices`]);
      expect({ protocol, code: listed.code, stderr: listed.stderr }).toEqual({ protocol, code: 0, stderr: '' });
      expect(JSON.parse(listed.stdout)).toMatchObject({ services: expect.arrayContaining([SERVICE]) });
    }
  });
});
