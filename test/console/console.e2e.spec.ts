import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ApiClient } from '../support/api';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium, screenshot, seriousA11yViolations } from './browser';

// One service, one browser, a few flows a person would follow. Screenshots of each page are
// written to CONSOLE_SCREENSHOTS (a folder; `npm run console:screenshots` writes docs/console).
const METHOD = '/zitadel.session.v2.SessionService/ListSessions';
const INSTANCE = 'console-test';

jest.setTimeout(60_000);

let testApp: TestApp;
let browser: Browser;
let context: BrowserContext;
let baseUrl: string;
let token: string;

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Targets', level: 1 }).waitFor();
}

async function openPage(page: Page, name: 'Targets' | 'Executions' | 'Event log'): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

beforeAll(async () => {
  testApp = await startTestApp('sqlite');
  baseUrl = `http://127.0.0.1:${(testApp.app.getHttpServer().address() as AddressInfo).port}`;
  token = await testApp.token(INSTANCE);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
});

afterAll(async () => {
  await browser?.close();
  await testApp?.close();
});

/** An element's box, as the page's script reads it (the tests compile without DOM types). */
type Boxed = { getBoundingClientRect(): { top: number; right: number } };

/** The distinct tops of a row's buttons: one when they sit on one line. */
async function buttonTops(row: Locator): Promise<number[]> {
  const tops: number[] = await row.getByRole('button').evaluateAll((buttons: Boxed[]) => buttons.map((button) => Math.round(button.getBoundingClientRect().top)));
  return [...new Set(tops)];
}

describe('web console', () => {
  let log: Page;
  let work: Page;

  it('asks for a token, names the command that prints one, and refuses one the service does not accept', async () => {
    log = await context.newPage();
    await log.goto(`${baseUrl}/console/`);
    await log.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect(log.locator('pre.command').textContent()).resolves.toContain('npm run -s cli -- token --instance <instance-id> --role IAM_OWNER');
    await screenshot(log, 'sign-in');
    await expectAccessible(log);

    const forged = `${token.split('.').slice(0, 2).join('.')}.AAAA`;
    await log.getByLabel('Token').fill(forged);
    await log.getByRole('button', { name: 'Sign in' }).click();
    const error = log.locator('#token-error');
    await expect(error.textContent()).resolves.toMatch(/AUTH-/);
    await expect(log.getByLabel('Token').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await log.evaluate<number>('sessionStorage.length')).toBe(0);
  });

  it('signs in with a pasted token kept in session storage only, and shows the log live', async () => {
    await log.getByLabel('Token').fill(token);
    await log.getByRole('button', { name: 'Sign in' }).click();
    await log.getByRole('heading', { name: 'Targets', level: 1 }).waitFor();
    expect(await log.evaluate<string[]>('Object.values(sessionStorage)')).toEqual([token]);
    expect(await log.evaluate<string>('Object.values(localStorage).join()')).not.toContain(token);
    await log.getByText('No targets yet.').waitFor();

    await openPage(log, 'Event log');
    await log.getByRole('status').getByText('Live').waitFor();
    await log.getByText('No events yet.').waitFor();
    await expectAccessible(log);
  });

  it('shows a validation error beside the field it concerns, with its message and id', async () => {
    work = await context.newPage();
    await signIn(work);
    await expectAccessible(work);
    await work.getByRole('button', { name: 'New target' }).click();
    const dialog = work.getByRole('dialog', { name: 'New target' });
    await dialog.getByLabel('Name').fill('audit-hook');
    await dialog.getByLabel('Endpoint').fill('not a url');
    await dialog.getByRole('button', { name: 'Create target' }).click();
    const endpointError = dialog.locator('#target-endpoint-error');
    await endpointError.waitFor();
    expect(await endpointError.textContent()).toBe('Target needs an absolute http(s) endpoint URL' + 'COMMAND-1r2k6qo6wg');
    await expect(dialog.getByLabel('Endpoint').getAttribute('aria-describedby')).resolves.toContain('target-endpoint-error');
    await expect(dialog.locator('#target-name-error').count()).resolves.toBe(0);
    await screenshot(work, 'target-validation-error');
    await expectAccessible(work);
  });

  it('creates a target and lists it', async () => {
    const dialog = work.getByRole('dialog', { name: 'New target' });
    await dialog.getByLabel('Endpoint').fill('https://hooks.example.com/audit');
    await dialog.getByLabel('Interrupt the request when the target fails').check();
    await dialog.getByRole('button', { name: 'Create target' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = work.getByRole('row').filter({ hasText: 'audit-hook' });
    await row.waitFor();
    expect(await row.textContent()).toContain('https://hooks.example.com/audit');
    expect(await row.textContent()).toContain('Webhook');

    const api = await ApiClient.of(testApp, INSTANCE);
    const listed = (await api.listTargets()).body as { result: { name: string; endpoint: string; restWebhook?: { interruptOnError: boolean } }[] };
    expect(listed.result).toEqual([expect.objectContaining({ name: 'audit-hook', endpoint: 'https://hooks.example.com/audit', restWebhook: { interruptOnError: true } })]);
    // At 1280 px the row's buttons sit on one line, and the table needs no sideways scrolling.
    await expect(buttonTops(row)).resolves.toHaveLength(1);
    await expect(work.getByRole('region', { name: 'Target list' }).evaluate((region: { scrollWidth: number; clientWidth: number }) => region.scrollWidth - region.clientWidth)).resolves.toBeLessThanOrEqual(0);
    await screenshot(work, 'targets');
  });

  it("shows the target's signing key from the v2 API, and copies it", async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    await work.getByRole('button', { name: 'Signing key of audit-hook' }).click();
    const dialog = work.getByRole('dialog', { name: 'Signing key of audit-hook' });
    const field = dialog.getByLabel('Signing key');
    await expect(field.inputValue()).resolves.not.toBe('');
    const api = await ApiClient.of(testApp, INSTANCE);
    const listed = (await api.listTargets()).body as { result: { targetId: string }[] };
    const v2 = await testApp.http().get(`/v2/actions/targets/${listed.result[0]!.targetId}`).set('Authorization', `Bearer ${token}`);
    expect(await field.inputValue()).toBe(v2.body.target.signingKey);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await dialog.getByRole('status').getByText('Copied to the clipboard.').waitFor();
    expect(await work.evaluate<string>('navigator.clipboard.readText()')).toBe(v2.body.target.signingKey);
    await screenshot(work, 'target-signing-key');
    await expectAccessible(work);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('sets an execution on a method picked from the catalogue and lists it under Request', async () => {
    await openPage(work, 'Executions');
    await work.getByRole('button', { name: 'New execution' }).click();
    const dialog = work.getByRole('dialog', { name: 'New execution' });
    await dialog.getByLabel('When').selectOption('request');
    await dialog.getByLabel('Service').selectOption('zitadel.session.v2.SessionService');
    await dialog.getByLabel('Method').selectOption(METHOD);
    await dialog.getByLabel('Target 1').selectOption({ label: 'audit-hook' });
    await screenshot(work, 'execution-editor');
    await expectAccessible(work);
    await dialog.getByRole('button', { name: 'Save execution' }).click();
    await dialog.waitFor({ state: 'detached' });

    const requestGroup = work.getByRole('region', { name: /^Request/ });
    await requestGroup.getByText(METHOD).waitFor();
    await expect(requestGroup.getByRole('list', { name: `Targets of ${METHOD}` }).textContent()).resolves.toBe('audit-hook');
    await screenshot(work, 'executions');
    await expectAccessible(work);
  });

  it('shows the new events live in the log, with data and metadata on click', async () => {
    await log.getByRole('button', { name: 'execution.v2.set' }).waitFor();
    await log.getByRole('button', { name: 'target.added' }).click();
    const detail = log.getByRole('complementary', { name: 'Event details' });
    await expect(detail.textContent()).resolves.toContain('"name": "audit-hook"');
    await expect(detail.textContent()).resolves.toContain('"correlationId"');
    await log.getByLabel('Filter by type').fill('execution.');
    await expect(log.getByRole('button', { name: 'target.added' }).count()).resolves.toBe(0);
    await log.getByLabel('Filter by type').fill('');
    await screenshot(log, 'event-log');
    await expectAccessible(log);
  });

  it('deletes the execution after confirmation, and the log shows execution.removed', async () => {
    await work.getByRole('button', { name: `Delete execution ${METHOD}` }).click();
    const confirm = work.getByRole('alertdialog', { name: 'Delete this execution?' });
    await expectAccessible(work);
    await confirm.getByRole('button', { name: 'Delete execution' }).click();
    await confirm.waitFor({ state: 'detached' });
    await work.getByRole('region', { name: /^Request/ }).getByText('None. Use New execution to add one.').waitFor();

    await log.getByRole('button', { name: 'execution.removed' }).waitFor();
    const api = await ApiClient.of(testApp, INSTANCE);
    expect(((await api.listExecutions()).body as { result: unknown[] }).result).toEqual([]);
  });

  it('signs out, clearing the token', async () => {
    await work.getByRole('button', { name: 'Sign out' }).click();
    await work.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await work.evaluate<number>('sessionStorage.length')).toBe(0);
    await work.reload();
    await work.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('is readable at phone width and in the dark theme', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    try {
      const page = await phone.newPage();
      await signIn(page);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      // The row's buttons wrap within the width instead of pushing the page sideways.
      const rightEdge: number = await page.getByRole('row').filter({ hasText: 'audit-hook' }).getByRole('button').evaluateAll((buttons: Boxed[]) => Math.max(...buttons.map((button) => button.getBoundingClientRect().right)));
      expect(rightEdge).toBeLessThanOrEqual(390);
      await screenshot(page, 'targets-phone-dark');
      await expectAccessible(page);
      await openPage(page, 'Event log');
      await page.getByRole('button', { name: 'target.added' }).waitFor();
      await expectAccessible(page);
    } finally {
      await phone.close();
    }
  });
});
