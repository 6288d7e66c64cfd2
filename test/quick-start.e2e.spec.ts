import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceProcess } from '../bench/support/service-process';
import { repoRoot } from '../bench/support/repo-root';
import { ServiceStorage } from '../bench/support/storage';
import { documentedAnswers, readmeBlock, withoutServiceSettings } from './support/readme-block';

jest.setTimeout(120_000);

const MARKER = '<!-- quick-start-session';
const README_ADDRESS = 'localhost:8080';

describe('the README quick start', () => {
  let storage: ServiceStorage;
  let service: ServiceProcess;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(repoRoot(), 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
    storage = await ServiceStorage.create('sqlite');
    service = await ServiceProcess.start({ storage });
  });
  afterAll(async () => {
    await service?.kill();
    await storage?.drop();
  });

  it('runs as one pasted block against a fresh service and answers what each step documents', async () => {
    const block = readmeBlock(readFileSync(join(repoRoot(), 'README.md'), 'utf8'), MARKER);
    const expected = documentedAnswers(block);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    expect(block).toContain(README_ADDRESS);
    // The only change: the service of this test listens on a free port.
    const script = block.replaceAll(README_ADDRESS, `127.0.0.1:${service.port}`);

    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      cwd: repoRoot(),
      env: { ...withoutServiceSettings(process.env), DATA_DIR: storage.dataDir },
      timeout: 90_000,
    });

    const answers = stdout.split('\n').filter((line) => line !== '');
    expect(answers).toHaveLength(expected.length);
    answers.forEach((answer, index) => expect(answer).toMatch(expected[index]));
  });
});
