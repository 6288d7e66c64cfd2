import { CONSOLE_ASSET_NOT_FOUND_ID } from '../../src/console/console.controller';
import { startTestApp, type TestApp } from '../support/test-app';

let testApp: TestApp;

beforeAll(async () => {
  testApp = await startTestApp('sqlite');
});
afterAll(() => testApp?.close());

describe('the console at /console', () => {
  it('redirects /console to /console/, so the page finds its assets', async () => {
    const response = await testApp.http().get('/console?x=1');
    expect(response.status).toBe(308);
    expect(response.headers.location).toBe('/console/');
  });

  it('answers every page path with the app, without a token, and locks it to this origin', async () => {
    for (const path of ['/console/', '/console/targets', '/console/events']) {
      const response = await testApp.http().get(path);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toContain('<div id="root"></div>');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['content-security-policy']).toContain("connect-src 'self'");
    }
  });

  it('tells the console that a pasted token is the only way in when no OIDC provider is configured', async () => {
    const response = await testApp.http().get('/console/config.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ oidc: null });
    expect(response.headers['cache-control']).toBe('no-cache');
    const page = await testApp.http().get('/console/');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self';");
  });

  it('serves the hashed assets the page names, cached for good', async () => {
    const page = await testApp.http().get('/console/');
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const response = await testApp.http().get(script!);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toContain('immutable');
    // React's production build, although Jest's global set-up built it under NODE_ENV=test.
    expect(response.text).not.toContain('Each child in a list should have a unique');
  });

  it('answers a missing asset, or a path out of the folder, with the API error shape', async () => {
    for (const path of ['/console/assets/missing.js', '/console/assets/..%2f..%2fpackage.json']) {
      const response = await testApp.http().get(path);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: 5, details: [{ id: CONSOLE_ASSET_NOT_FOUND_ID }] });
    }
  });
});
