import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { streamName } from '../../src/common/domain/stream-name';
import { EventPublisher } from '../../src/runtime/publish/event-publisher';
import { ServiceSubscribers } from '../../src/subscribers/service-subscribers';
import { ApiClient } from '../support/api';
import { startTestApp, storedEvents, type TestApp } from '../support/test-app';
import { WebhookServer } from '../runtime/webhook-server';
import { launchChromium, screenshot, seriousA11yViolations } from './browser';

// The operations page in a real browser: an operators' token sees projections, rebuilds one,
// retries a subscriber's failed event and a parked delivery; an instance's token never sees the page.
const INSTANCE = 'console-operations';
/** A method the catalogue does not list: the cleanup subscriber fails on its execution. */
const GONE_METHOD = '/zitadel.gone.v1.GoneService/Call';
/** Attempts of an event delivery before it is parked (a short retry delay keeps the test quick). */
const DELIVERY_MAX_ATTEMPTS = 2;

jest.setTimeout(60_000);

let testApp: TestApp;
let browser: Browser;
let baseUrl: string;
let tenant: ApiClient;
/** The parked delivery's target. */
let hooks: WebhookServer;

async function signIn(page: Page, token: string, heading: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Tabs through the page until `name`'s button has the focus: it is reachable by keyboard. */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let presses = 0; presses < 60; presses += 1) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate<string>('document.activeElement?.textContent ?? ""')) === name) return;
  }
  throw new Error(`"${name}" is not reachable with Tab`);
}

beforeAll(async () => {
  process.env.SUBSCRIBER_MAX_ATTEMPTS = '2';
  process.env.SUBSCRIBER_RETRY_INITIAL_MS = '10';
  testApp = await startTestApp('sqlite', { targetAllowedNetworks: ['127.0.0.0/8'] }, { deliveryMaxAttempts: DELIVERY_MAX_ATTEMPTS, deliveryRetryInitialMs: 20 });
  delete process.env.SUBSCRIBER_MAX_ATTEMPTS;
  delete process.env.SUBSCRIBER_RETRY_INITIAL_MS;
  baseUrl = `http://127.0.0.1:${(testApp.app.getHttpServer().address() as AddressInfo).port}`;
  tenant = await ApiClient.of(testApp, INSTANCE);
  // Targets to rebuild, and an execution the cleanup subscriber fails on (set before its target's removal landed).
  const rebuilt: string[] = [];
  for (let index = 0; index < 20; index += 1) rebuilt.push(await tenant.newTarget(`hook-${index}`));
  const removed = await tenant.newTarget('removed');
  await tenant.deleteTarget(removed);
  await testApp.store.append(
    streamName('execution', INSTANCE, `request${GONE_METHOD}`),
    [{ type: 'execution.v2.set', tenant: INSTANCE, data: { targets: [{ type: 2, target: removed }, { type: 2, target: rebuilt[0] }] } }],
    { expectedRevision: 'no_stream' },
  );
  await storedEvents(testApp, {});
  await (await testApp.app.get(ServiceSubscribers).get()).catchUp();
  hooks = await WebhookServer.start();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await testApp?.close();
  await hooks?.close();
});

describe('operations pages', () => {
  it('show an operator the projections, and a rebuild started from the keyboard runs its progress bar to done', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    try {
      const page = await context.newPage();
      await signIn(page, await testApp.token('system', { roles: ['SYSTEM_OWNER'] }), 'Operations');
      const nav = page.getByRole('navigation', { name: 'Pages' });
      await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['Operations']);
      const projections = page.getByRole('region', { name: 'Projections' });
      await projections.getByRole('row').filter({ hasText: 'targets' }).getByText('live').waitFor();
      await expect(projections.getByRole('row').filter({ hasText: 'executions' }).count()).resolves.toBe(1);
      await page.getByText('No parked deliveries.').waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);

      await tabTo(page, 'Rebuild targets');
      await page.keyboard.press('Enter');
      const bar = page.getByRole('progressbar', { name: 'Rebuild of targets' });
      await bar.waitFor();
      await page.getByTestId('rebuild-targets-text').filter({ hasText: /· done$/ }).waitFor();
      const text = await page.getByTestId('rebuild-targets-text').textContent();
      const [done, total] = /^(\d+) \/ (\d+) events/.exec(text ?? '')!.slice(1).map(Number);
      expect(total).toBeGreaterThanOrEqual(21);
      expect(done).toBe(total);
      expect(await bar.getAttribute('value')).toBe(await bar.getAttribute('max'));
      await expect(projections.getByRole('button', { name: 'Rebuild targets' }).isEnabled()).resolves.toBe(true);
      await screenshot(page, 'operations', true);
      expect(await seriousA11yViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("show a subscriber's failed event, retry it (failing again while its cause stays), and resolve it once fixed", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    try {
      const page = await context.newPage();
      await signIn(page, await testApp.token('system', { roles: ['SYSTEM_OWNER'] }), 'Operations');
      const failed = page.getByRole('region', { name: 'Failed events' });
      const row = failed.getByRole('row').filter({ hasText: 'execution.v2.set' });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('COMMAND-vysplsevt8');
      const retry = row.getByRole('button', { name: /^Retry event \d+$/ });
      await retry.click();
      await page.getByRole('status').filter({ hasText: /failed again/ }).waitFor();
      await screenshot(page, 'operations-failed-event-dark', true);
      expect(await seriousA11yViolations(page)).toEqual([]);

      // The operator's fix: delete the execution; the retry then resolves the event.
      expect((await tenant.deleteExecution({ condition: { request: { method: GONE_METHOD } } })).status).toBe(200);
      await failed.getByRole('button', { name: /^Retry event \d+$/ }).first().click();
      await page.getByRole('status').filter({ hasText: /was handled/ }).waitFor();
      await page.getByText('No failed events.').waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('show a parked delivery, retried from the keyboard once its target answers: it leaves the table and the target receives it', async () => {
    // A target failing every attempt until the operator has fixed it.
    let fixed = false;
    hooks.on('/parked', (_call, response) => {
      response.statusCode = fixed ? 200 : 500;
      response.end();
    });
    const target = await tenant.newTarget('parked-hook', { restWebhook: { interruptOnError: false }, endpoint: hooks.url('/parked'), timeout: '5s' });
    expect((await tenant.setExecution({ condition: { event: { event: 'user.human.added' } }, targets: [{ target }] })).status).toBe(200);
    const eventId = randomUUID();
    await testApp.app.get(EventPublisher).publish(INSTANCE, 'host-1', [
      { id: eventId, aggregateId: 'user-1', aggregateType: 'user', sequence: 1, eventType: 'user.human.added', createdAt: '2026-12-03T10:00:00.000000000Z', payload: {} },
    ]);
    const systemToken = await testApp.token('system', { roles: ['SYSTEM_OWNER'] });
    const [parked] = await until(
      async () => (await testApp.http().get('/system/v1/deliveries').set('Authorization', `Bearer ${systemToken}`)).body.deliveries as Array<{ id: string }>,
      (deliveries) => deliveries.length === 1,
      'the delivery to be parked',
    );
    expect(hooks.callsTo('/parked')).toHaveLength(DELIVERY_MAX_ATTEMPTS);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    try {
      const page = await context.newPage();
      await signIn(page, systemToken, 'Operations');
      const row = page.getByRole('region', { name: 'Parked deliveries' }).getByRole('row').filter({ hasText: target });
      await row.waitFor();
      const text = await row.textContent();
      for (const shown of [INSTANCE, 'user.human.added', 'answered 500', String(DELIVERY_MAX_ATTEMPTS)]) expect(text).toContain(shown);
      await screenshot(page, 'operations-parked-delivery', true);
      expect(await seriousA11yViolations(page)).toEqual([]);

      fixed = true;
      await tabTo(page, `Retry delivery ${parked!.id}`);
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: `Delivery ${parked!.id} is pending again` }).waitFor();
      await page.getByText('No parked deliveries.').waitFor();
      // The service sent it once more, and this time the target took it.
      const calls = await until(async () => hooks.callsTo('/parked'), (received) => received.length > DELIVERY_MAX_ATTEMPTS, 'the retried delivery');
      expect(calls).toHaveLength(DELIVERY_MAX_ATTEMPTS + 1);
      expect(calls[DELIVERY_MAX_ATTEMPTS]!.headers['idempotency-key']).toBe(`${eventId}/${target}`);
      await until(
        async () => (await testApp.http().get('/system/v1/deliveries').set('Authorization', `Bearer ${systemToken}`)).body.deliveries as unknown[],
        (deliveries) => deliveries.length === 0,
        'the delivery to stay out of the parked list',
      );
      expect(await seriousA11yViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('are readable at phone width in the dark theme: the tables become cards, each value under its column name, without sideways scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    try {
      const page = await context.newPage();
      await signIn(page, await testApp.token('system', { roles: ['SYSTEM_OWNER'] }), 'Operations');
      const targets = page.getByRole('region', { name: 'Projections' }).getByRole('row').filter({ hasText: 'targets' });
      await targets.getByText('live').waitFor();
      await expect(page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).resolves.toBeLessThanOrEqual(0);
      // The column names, hidden in the header row at this width, label each cell.
      await expect(targets.locator('td[data-label="Lag (events)"]').count()).resolves.toBe(1);
      await expect(page.evaluate<string>(`getComputedStyle(document.querySelector('td[data-label="Lag (events)"]'), '::before').content`)).resolves.toBe('"Lag (events)"');
      await targets.getByRole('button', { name: 'Rebuild targets' }).waitFor();
      await screenshot(page, 'operations-phone-dark', true);
      expect(await seriousA11yViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("are not offered to an instance's token: no nav entry, and the address names the role they need", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    try {
      const page = await context.newPage();
      await signIn(page, tenant.token, 'Targets');
      const nav = page.getByRole('navigation', { name: 'Pages' });
      await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['Targets', 'Executions', 'Event log']);
      let systemCalls = 0;
      page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/system/')) systemCalls += 1;
      });
      await page.goto(`${baseUrl}/console/operations`);
      await page.getByRole('heading', { name: 'Operations', level: 1 }).waitFor();
      await page.getByText('These pages need the SYSTEM_OWNER role.').waitFor();
      await expect(page.locator('pre.command').textContent()).resolves.toBe('npm run -s cli -- token --instance system --role SYSTEM_OWNER');
      expect(systemCalls).toBe(0);
      await screenshot(page, 'operations-tenant', true);
      expect(await seriousA11yViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
