import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, ServiceProcess } from '../bench/support/service-process';
import { repoRoot } from '../bench/support/repo-root';
import { ServiceStorage } from '../bench/support/storage';
import { documentedAnswers, readmeBlock, withoutServiceSettings } from './support/readme-block';

jest.setTimeout(120_000);

const MARKER = '<!-- run-your-actions';

/** Runs `script` in bash, in its own process group so that nothing it starts outlives the test. */
async function runBlock(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  const shell = spawn('bash', ['-c', script], { cwd: repoRoot(), env, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  shell.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const timer = setTimeout(() => process.kill(-shell.pid!, 'SIGKILL'), 90_000);
  try {
    const code = await new Promise<number | null>((resolve) => shell.on('close', resolve));
    if (code !== 0) throw new Error(`the block exited with ${code}; its output:\n${stdout}`);
    return stdout;
  } finally {
    clearTimeout(timer);
    try {
      process.kill(-shell.pid!, 'SIGKILL');
    } catch {
      // The group has already ended.
    }
  }
}

describe('the README "Run your actions" walk-through', () => {
  let storage: ServiceStorage;
  let service: ServiceProcess;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
    storage = await ServiceStorage.create('sqlite');
    service = await ServiceProcess.start({ storage, env: { TARGET_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128' } });
  });
  afterAll(async () => {
    await service?.kill();
    await storage?.drop();
  });

  it('shows the webhook verifying the signed body and the host getting the request its restCall changed', async () => {
    const block = readmeBlock(readFileSync(join(repoRoot(), 'README.md'), 'utf8'), MARKER);
    const expected = documentedAnswers(block);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    // The only changes: the service, the webhook and the host of this test listen on free ports.
    const [webhookPort, hostPort] = [await freePort(), await freePort()];
    const script = block.replaceAll('localhost:8080', `127.0.0.1:${service.port}`).replaceAll(':8090', `:${webhookPort}`).replaceAll(':8070', `:${hostPort}`);

    const stdout = await runBlock(script, {
      ...withoutServiceSettings(process.env),
      DATA_DIR: storage.dataDir,
      WEBHOOK_PORT: String(webhookPort),
      HOST_PORT: String(hostPort),
    });

    const answers = stdout.split('\n').filter((line) => line !== '');
    expect(answers).toHaveLength(expected.length);
    answers.forEach((answer, index) => expect(answer).toMatch(expected[index]!));
  });
});
