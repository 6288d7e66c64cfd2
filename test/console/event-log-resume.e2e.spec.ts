import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { ApiClient } from '../support/api';
import { startTestApp, type TestApp } from '../support/test-app';
import { launchChromium } from './browser';

// The live event log after the server drops its stream: it reconnects with Last-Event-ID and
// shows what happened meanwhile, each event once.
const INSTANCE = 'console-resume';

jest.setTimeout(60_000);

let testApp: TestApp;
let browser: Browser;

beforeAll(async () => {
  testApp = await startTestApp('sqlite');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await testApp?.close();
});

it('resumes the live event log after its stream is cut, missing nothing and repeating nothing', async () => {
  const streams: IncomingMessage[] = [];
  testApp.app.getHttpServer().on('request', (request: IncomingMessage) => {
    if (request.url?.startsWith('/v3alpha/events')) streams.push(request);
  });
  const api = await ApiClient.of(testApp, INSTANCE);
  await api.newTarget('before-1');
  await api.newTarget('before-2');

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const resumeHeaders: Array<string | undefined> = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/v3alpha/events') resumeHeaders.push(request.headers()['last-event-id']);
    });
    const baseUrl = `http://127.0.0.1:${(testApp.app.getHttpServer().address() as AddressInfo).port}`;
    await page.goto(`${baseUrl}/console/`);
    await page.getByLabel('Token').fill(api.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Event log' }).click();
    await page.getByRole('status').getByText('Live').waitFor();
    const added = page.getByRole('button', { name: 'target.added' });
    await expect(added.count()).resolves.toBe(2);

    // Cut the stream at the server; write while the console is away.
    for (const request of streams.splice(0)) request.socket.destroy();
    await api.newTarget('while-away');
    await page.getByRole('status').getByText('Live').waitFor();
    await api.newTarget('after');
    await page.locator('tr', { hasText: 'target.added' }).nth(3).waitFor();

    await expect(added.count()).resolves.toBe(4);
    // An event is its aggregate and its sequence in it: a repeated one would show twice.
    const rows = await page.evaluate<string[]>(
      `[...document.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td[data-label="Aggregate"], td[data-label="Sequence"], td[data-label="Type"]')].map((td) => td.textContent).join(' '))`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(new Set(rows).size).toBe(rows.length);
    expect(resumeHeaders.length).toBeGreaterThanOrEqual(2);
    expect(resumeHeaders[0]).toBeUndefined();
    expect(resumeHeaders[resumeHeaders.length - 1]).toEqual(expect.any(String));
  } finally {
    await context.close();
  }
});
