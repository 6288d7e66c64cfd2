import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceProcess } from '../bench/support/service-process';
import { repoRoot } from '../bench/support/repo-root';
import { ServiceStorage } from '../bench/support/storage';

jest.setTimeout(120_000);

const MARKER = '<!-- quick-start-session';
const README_ADDRESS = 'localhost:8080';

/** The shell block that follows the marker in README.md, exactly as a reader would paste it. */
function quickStartBlock(readme: string): string {
  const marker = readme.indexOf(MARKER);
  if (marker < 0) throw new Error(`README.md has no "${MARKER}" marker`);
  const fence = readme.indexOf('```sh\n', marker);
  const end = readme.indexOf('\n```', fence + 1);
  if (fence < 0 || end < 0) throw new Error('No ```sh block after the quick-start marker');
  return readme.slice(fence + '```sh\n'.length, end + 1);
}

/**
 * The answers the block documents: each `# => ` comment (continued by `#   ` lines) as a pattern
 * in which `...` stands for any text.
 */
function documentedAnswers(block: string): RegExp[] {
  const answers: string[] = [];
  let continuing = false;
  for (const line of block.split('\n')) {
    if (line.startsWith('# => ')) {
      answers.push(line.slice('# => '.length).trim());
      continuing = true;
    } else if (continuing && /^# {2,}\S/.test(line)) {
      answers[answers.length - 1] += line.slice(1).trim();
    } else {
      continuing = false;
    }
  }
  return answers.map((answer) => new RegExp(`^${answer.split('...').map(escapeRegExp).join('.*?')}$`));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

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
    const block = quickStartBlock(readFileSync(join(repoRoot(), 'README.md'), 'utf8'));
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

/** The test runner's own settings must not leak into the reader's shell. */
function withoutServiceSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { PORT: _port, GRPC_PORT: _grpcPort, EVENT_STORE: _store, DATABASE_URL: _url, ...rest } = env;
  return rest;
}
