import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { CONSOLE_CALLBACK_PATH, CONSOLE_SIGNED_OUT_PATH } from '../../src/console/console-settings';
import { startTestApp, storedEvents, type TestApp } from '../support/test-app';
import { launchChromium, screenshot, seriousA11yViolations } from './browser';

// Sign-in at a real OIDC provider (oidc-provider in a process of its own, on loopback): the
// console's authorization code flow with PKCE, the access token sent to the service, the user kept
// in session storage only, sign-out at the provider, and an expired token asking to sign in again.
const INSTANCE = 'console-oidc';
const CLIENT_ID = 'actions-console';
const AUDIENCE = 'actions-execution-service';
const SCOPE = 'openid actions';
const LOGIN = 'ada@example.com';

jest.setTimeout(60_000);

let provider: ChildProcessWithoutNullStreams;
let testApp: TestApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let baseUrl: string;
let issuer: string;
let providerHost: string;
/** Every authorization request the browser sent to the provider. */
const authorizations: URL[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startProvider(port: number, serviceUrl: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, [join(__dirname, 'oidc-provider.mjs')], {
    env: {
      ...process.env,
      PORT: String(port),
      CLIENT_ID,
      REDIRECT_URI: `${serviceUrl}${CONSOLE_CALLBACK_PATH}`,
      POST_LOGOUT_REDIRECT_URI: `${serviceUrl}${CONSOLE_SIGNED_OUT_PATH}`,
      RESOURCE: `urn:${AUDIENCE}`,
      AUDIENCE,
      SCOPE: 'actions',
      INSTANCE_ID: INSTANCE,
    },
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) resolve();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the OIDC provider exited with ${code}: ${output}`)));
  });
  return child;
}

function sessionKeys(target: Page): Promise<string[]> {
  return target.evaluate<string[]>('Object.keys(sessionStorage)');
}

/** At the provider's development pages: any login and password, then consent. */
async function logInAtProvider(target: Page): Promise<void> {
  await target.waitForURL((url) => url.origin === issuer);
  await target.locator('input[name="login"]').fill(LOGIN);
  await target.locator('input[name="password"]').fill('any password');
  await target.locator('button[type="submit"]').click();
  const consent = target.getByRole('button', { name: 'Continue' });
  await consent.waitFor();
  await consent.click();
}

beforeAll(async () => {
  const providerPort = await freePort();
  issuer = `http://127.0.0.1:${providerPort}`;
  providerHost = `127.0.0.1:${providerPort}`;
  testApp = await startTestApp('sqlite', {
    auth: { jwksUrl: `${issuer}/jwks`, issuer, audience: AUDIENCE, embeddedKeys: false },
    consoleOidc: { issuer, clientId: CLIENT_ID, scope: SCOPE },
  });
  baseUrl = `http://127.0.0.1:${(testApp.app.getHttpServer().address() as AddressInfo).port}`;
  provider = await startProvider(providerPort, baseUrl);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  // The provider's development pages name a web font elsewhere; this test stays on loopback.
  await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
  context.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (url.origin === issuer && url.pathname === '/auth') authorizations.push(url);
  });
  page = await context.newPage();
});

afterAll(async () => {
  await browser?.close();
  await testApp?.close();
  provider?.kill();
});

describe('signing in to the console at an OIDC provider', () => {
  it('offers sign-in with the provider next to a pasted token, without the embedded key pair command', async () => {
    await page.goto(`${baseUrl}/console/`);
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByRole('button', { name: `Sign in with ${providerHost}`, exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Or paste a token', level: 2 }).waitFor();
    expect(await page.locator('pre.command').count()).toBe(0);
    await screenshot(page, 'sign-in-oidc');
    expect(await seriousA11yViolations(page)).toEqual([]);

    const settings = await testApp.http().get('/console/config.json');
    expect(settings.body).toEqual({ oidc: { issuer, clientId: CLIENT_ID, scope: SCOPE } });
    // The page may call the provider (discovery, token endpoint) and no other origin.
    const served = await testApp.http().get('/console/');
    expect(served.headers['content-security-policy']).toContain(`connect-src 'self' ${issuer};`);
  });

  it("shows why a sign-in cancelled at the provider failed, and stays on the sign-in page", async () => {
    await page.getByRole('button', { name: `Sign in with ${providerHost}`, exact: true }).click();
    await page.waitForURL((url) => url.origin === issuer);
    await page.getByRole('link', { name: '[ Cancel ]' }).click();
    const failure = page.getByRole('alert');
    await failure.waitFor();
    expect(await failure.textContent()).toBe(`Signing in at ${providerHost} failed: End-User aborted interaction`);
    expect(new URL(page.url()).pathname).toBe('/console/');
    expect(await sessionKeys(page)).toEqual([]);
    expect(authorizations).toHaveLength(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('signs in with the authorization code and PKCE, keeping the user in session storage only', async () => {
    await page.getByRole('button', { name: `Sign in with ${providerHost}`, exact: true }).click();
    await logInAtProvider(page);
    await page.getByRole('heading', { name: 'Targets', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/');

    expect(authorizations).toHaveLength(2);
    expect(Object.fromEntries(authorizations[1]!.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: SCOPE,
      redirect_uri: `${baseUrl}${CONSOLE_CALLBACK_PATH}`,
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
    });

    // The user (with its access token) is the only entry: the sign-in state is gone, nothing is in localStorage.
    expect(await sessionKeys(page)).toEqual([`oidc.user:${issuer}:${CLIENT_ID}`]);
    const user = JSON.parse((await page.evaluate<string | null>(`sessionStorage.getItem('oidc.user:${issuer}:${CLIENT_ID}')`))!) as { access_token: string };
    const claims = JSON.parse(Buffer.from(user.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: issuer, aud: AUDIENCE, sub: LOGIN, instance_id: INSTANCE, roles: ['IAM_OWNER'] });
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    await page.getByText(`${INSTANCE} · IAM_OWNER`).waitFor();
    await page.getByText('No targets yet.').waitFor();
  });

  it("creates and lists a target with the provider's access token, recorded as the signed-in user's", async () => {
    await page.getByRole('button', { name: 'New target' }).click();
    const dialog = page.getByRole('dialog', { name: 'New target' });
    await dialog.getByLabel('Name').fill('oidc-hook');
    await dialog.getByLabel('Endpoint').fill('https://hooks.example.com/oidc');
    await dialog.getByRole('button', { name: 'Create target' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'oidc-hook' }).waitFor();

    const added = (await storedEvents(testApp, { tenant: INSTANCE })).filter((event) => event.type === 'target.added');
    expect(added).toHaveLength(1);
    expect(added[0]!.metadata.actor).toBe(LOGIN);
    // The page survives a reload: the user is read back from session storage.
    await page.reload();
    await page.getByRole('row').filter({ hasText: 'oidc-hook' }).waitFor();
    expect(authorizations).toHaveLength(2);
  });

  it("signs out at the provider and comes back to the sign-in page, the tab's storage empty", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === issuer);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/');
    expect(await sessionKeys(page)).toEqual([]);
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);

    // The provider's session ended too: signing in again asks for the login.
    await page.getByRole('button', { name: `Sign in with ${providerHost}`, exact: true }).click();
    await logInAtProvider(page);
    await page.getByRole('heading', { name: 'Targets', level: 1 }).waitFor();
  });

  it('asks to sign in again once the access token expires, and does not go back to the provider by itself', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.origin === issuer);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();

    provider.stdin.write('access-token-ttl 3\n');
    await page.getByRole('button', { name: `Sign in with ${providerHost}`, exact: true }).click();
    await logInAtProvider(page);
    await page.getByRole('heading', { name: 'Targets', level: 1 }).waitFor();
    const before = authorizations.length;

    await page.getByRole('status').getByText('The service no longer accepts your token (it may have expired). Sign in again.').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: `Sign in with ${providerHost}`, exact: true }).waitFor();
    expect(await sessionKeys(page)).toEqual([]);
    await page.waitForTimeout(1_000);
    expect(authorizations).toHaveLength(before);
    expect(new URL(page.url()).origin).toBe(baseUrl);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
