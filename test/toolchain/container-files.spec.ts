import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { BUNDLED_SERVICE_ENTRY, repoRoot } from '../../bench/support/repo-root';
import { IMAGE_MARKER_VARIABLE } from '../../src/auth/describe-embedded-auth';

/** No Docker engine runs the tests: these hold the container files to what the README says. */
interface ComposeService {
  image?: string;
  depends_on?: Record<string, unknown>;
  env_file?: Array<{ path: string; required?: boolean }>;
  environment?: Record<string, string>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

const root = repoRoot();
const compose = (file: string): ComposeFile => load(readFileSync(join(root, file), 'utf8')) as ComposeFile;

/** What the files wire up themselves (container addresses and paths); everything else comes from .env. */
const WIRING = new Set(['PORT', 'GRPC_PORT', 'MANAGEMENT_PORT', 'DATA_DIR', 'EVENT_STORE', 'DATABASE_URL', 'EVENTSTORE_CONNECTION_STRING']);

describe.each(['docker-compose.yml', 'docker-compose.cluster.yml', 'docker-compose.postgres.yml'])('%s', (file) => {
  const { services } = compose(file);

  it('passes every setting of .env to the service, and sets only the wiring itself', () => {
    expect(services.service.env_file).toEqual([{ path: '.env', required: false }]);
    expect(Object.keys(services.service.environment ?? {}).filter((name) => !WIRING.has(name))).toEqual([]);
  });

  it('points the service at databases this file starts, with their credentials', () => {
    const environment = services.service.environment!;
    for (const dependency of Object.keys(services.service.depends_on ?? {})) expect(services).toHaveProperty(dependency);
    const database = new URL(environment.DATABASE_URL);
    const postgres = (services.postgres as { environment: Record<string, string> }).environment;
    expect([database.hostname, database.username, database.password, database.pathname]).toEqual(['postgres', postgres.POSTGRES_USER, postgres.POSTGRES_PASSWORD, `/${postgres.POSTGRES_DB}`]);
  });
});

describe('the PostgreSQL-only set-up', () => {
  it('keeps events and read model in PostgreSQL, with no EventStoreDB', () => {
    const { services } = compose('docker-compose.postgres.yml');
    expect(services.service.environment).toMatchObject({ EVENT_STORE: 'postgres' });
    expect(Object.keys(services).sort()).toEqual(['postgres', 'service']);
  });
});

describe('the image', () => {
  it('marks itself, so the start-up hint names the command line that works inside it', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtimeStage).toMatch(new RegExp(`^ENV [^]*?\\b${IMAGE_MARKER_VARIABLE}=1\\b`, 'm'));
  });

  it('runs the bundled service, as npm start does', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(dockerfile).toContain(`CMD ["node", "${BUNDLED_SERVICE_ENTRY}"]`);
    expect(start).toMatch(new RegExp(`&& node ${BUNDLED_SERVICE_ENTRY.replace(/\./g, '\\.')}$`));
  });
});
