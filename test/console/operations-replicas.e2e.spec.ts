import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { ProjectionEngine } from '@app/eventsourcing/projections/projection-engine';
import { streamName } from '../../src/common/domain/stream-name';
import { ApiClient } from '../support/api';
import { startReplica, startTestApp, storedEvents, type TestApp } from '../support/test-app';
import { dropRebuildSchemas } from '../operations/support/rebuild-schemas';
import { launchChromium, seriousA11yViolations } from './browser';

// The operations page open on one replica shows, live, a rebuild another replica runs.
/**
 * Events of the executions projection: a rebuild lasting several of the page's 2 s refreshes even
 * on a fast, quiet machine (20,000 could finish between two of them there).
 */
const SEEDED_EVENTS = 150_000;

jest.setTimeout(120_000);

let primary: TestApp;
let replica: TestApp;
let browser: Browser;

beforeAll(async () => {
  primary = await startTestApp('postgres');
  replica = await startReplica(primary);
  const api = await ApiClient.of(primary, `instance-${randomUUID()}`);
  const target = await api.newTarget('seed-target');
  const streams = Array.from({ length: SEEDED_EVENTS / 200 }, (_, index) => streamName('execution', api.instanceId, `event/seed.${index}`));
  for (let first = 0; first < streams.length; first += 20) {
    await Promise.all(
      streams.slice(first, first + 20).map((stream) =>
        primary.store.append(
          stream,
          Array.from({ length: 200 }, () => ({ type: 'execution.v2.set', tenant: api.instanceId, data: { targets: [{ type: 2, target }] } })),
          { expectedRevision: 'no_stream' },
        ),
      ),
    );
  }
  await storedEvents(primary, {});
  await primary.app.get(ProjectionEngine).catchUp();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await replica?.close();
  await dropRebuildSchemas(primary?.config.databaseUrl);
  await primary?.close();
});

it("shows on one replica's operations page the progress of a rebuild another replica runs, to done", async () => {
  const token = await primary.token('system', { roles: ['SYSTEM_OWNER'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(replica.app.getHttpServer().address() as AddressInfo).port}/console/`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Operations', level: 1 }).waitFor();
    const row = page.getByRole('region', { name: 'Projections' }).getByRole('row').filter({ hasText: 'executions' });
    await row.getByText('live').waitFor();

    // Started on the other replica, after the page was loaded.
    expect((await primary.http().post('/system/v1/projections/executions/rebuild').set('Authorization', `Bearer ${token}`)).status).toBe(202);
    const text = page.getByTestId('rebuild-executions-text');
    await text.filter({ hasText: /· replaying$/ }).waitFor();
    await expect(row.getByRole('button', { name: 'Rebuilding…' }).isDisabled()).resolves.toBe(true);
    await row.getByText('rebuilding', { exact: true }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await text.filter({ hasText: /· done$/ }).waitFor({ timeout: 60_000 });
    const [done, total] = /^(\d+) \/ (\d+) events/.exec((await text.textContent()) ?? '')!.slice(1).map(Number);
    expect(total).toBeGreaterThanOrEqual(SEEDED_EVENTS);
    expect(done).toBe(total);
    await row.getByText('live').waitFor();
    await expect(row.getByRole('button', { name: 'Rebuild executions' }).isEnabled()).resolves.toBe(true);
  } finally {
    await context.close();
  }
});
