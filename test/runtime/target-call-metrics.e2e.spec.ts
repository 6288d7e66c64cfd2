import { randomUUID } from 'node:crypto';
import { RunService } from '../../src/runtime/run/run-service';
import { ApiClient } from '../support/api';
import { startTestApp, type TestApp } from '../support/test-app';
import { WebhookServer } from './webhook-server';

const METHOD = '/zitadel.session.v2.SessionService/ListSessions';

describe('target call metrics', () => {
  let testApp: TestApp;
  let hooks: WebhookServer;
  beforeAll(async () => {
    testApp = await startTestApp('sqlite', { targetAllowedNetworks: ['127.0.0.0/8'] });
    hooks = await WebhookServer.start();
  });
  afterAll(async () => {
    await testApp.close();
    await hooks.close();
  });

  const series = async (name: string, labels: string): Promise<number> => {
    const text = (await testApp.management().get('/metrics')).text;
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}}`));
    return line === undefined ? 0 : Number(line.split(' ').pop());
  };

  it('counts each call by target type and outcome, and times it', async () => {
    const api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    const [ok, failing, forwarding] = [`/${randomUUID()}`, `/${randomUUID()}`, `/${randomUUID()}`];
    hooks.answer(ok, 200, { changed: true });
    hooks.answer(failing, 500);
    hooks.answer(forwarding, 200, { forwardedStatusCode: 403, forwardedErrorMessage: 'no' });
    const target = (kind: 'restCall' | 'restWebhook', path: string): Promise<string> =>
      api.newTarget(`t-${randomUUID()}`, { restWebhook: undefined, [kind]: { interruptOnError: false }, endpoint: hooks.url(path), timeout: '5s' });
    const targets = [await target('restCall', ok), await target('restWebhook', failing), await target('restCall', forwarding)];
    expect((await api.setExecution({ condition: { request: { method: METHOD } }, targets: targets.map((id) => ({ target: id })) })).status).toBe(200);

    await expect(testApp.app.get(RunService).runRequest({ instanceId: api.instanceId, fullMethod: METHOD, context: () => ({ instanceId: api.instanceId, fullMethod: METHOD }) }, () => ({}))).rejects.toMatchObject({ id: 'EXEC-reUaUZCzCp' });

    expect(await series('actions_target_calls_total', 'type="restCall",outcome="ok"')).toBe(1);
    expect(await series('actions_target_calls_total', 'type="restWebhook",outcome="failed"')).toBe(1);
    expect(await series('actions_target_calls_total', 'type="restCall",outcome="forwarded"')).toBe(1);
    expect(await series('actions_target_call_duration_seconds_count', 'type="restCall",outcome="ok"')).toBe(1);
  });
});
