import { randomUUID } from 'node:crypto';
import { buildApiDocument } from '../../src/api/openapi/api-docs';
import { ApiClient } from '../support/api';
import { startTestApp, type TestApp } from '../support/test-app';

type Operation = { operationId: string; requestBody?: { content: Record<string, { example?: object }> }; responses: Record<string, unknown> };

/** Every "Try it out" body of the document, with a path whose variables are filled in. */
const EXAMPLES = Object.entries(buildApiDocument().paths).flatMap(([path, item]) =>
  Object.entries(item as Record<string, Operation>).flatMap(([method, operation]) => {
    const example = operation.requestBody?.content['application/json']?.example;
    return example ? [{ name: operation.operationId, version: path.split('/')[1], method, path: path.replace(/\{[^}]+\}/g, '218041719477776989'), example, documented: Object.keys(operation.responses) }] : [];
  }),
);

describe('the examples of the API document', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp('sqlite');
  });
  afterAll(() => testApp.close());

  it('cover the RPCs that take a body', () => {
    const withBody = ['CreateTarget', 'ListExecutions', 'ListTargets', 'SetExecution', 'UpdateTarget'];
    const names = (version: string): string[] => EXAMPLES.filter((example) => example.version === version).map((example) => example.name).sort();
    expect({ v3alpha: names('v3alpha'), v2: names('v2'), v2beta: names('v2beta'), runtime: names('runtime') }).toEqual({
      v3alpha: ['CreateTarget', 'DeleteExecution', 'ListExecutions', 'ListTargets', 'SetExecution', 'UpdateTarget'],
      v2: withBody,
      v2beta: withBody,
      runtime: ['PublishEvents', 'RunFunction', 'RunRequest', 'RunResponse'],
    });
  });

  it.each(EXAMPLES.map((example) => [`${example.version} ${example.name}`, example] as const))('%s: the service accepts the example and answers a documented status', async (_name, { method, path, example, documented }) => {
    const api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    const call = testApp.http()[method as 'post'](path).set('Authorization', `Bearer ${api.token}`);
    const response = await call.send(example);
    expect({ status: response.status, documented: documented.includes(String(response.status)) }).toEqual({ status: expect.any(Number), documented: true });
    // Accepted: past validation (a 400 would be the body's fault), and never a server error.
    expect(response.status === 400 || response.status >= 500 ? response.body : response.status).toBe(response.status);
  });
});
