import { ActionService } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { restMappingOf } from '../../src/api/rest/http-rule';
import { httpStatusOf, type StatusCode } from '../../src/common/errors/api-error';
import { routesOf, startDocumentedApp } from './support/service-app';

type Document = {
  paths: Record<string, Record<string, { operationId: string; security?: unknown[]; parameters?: unknown[]; requestBody?: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>>; required?: string[] }>; securitySchemes: Record<string, unknown> };
  security: unknown[];
};

describe('API documentation', () => {
  let service: Awaited<ReturnType<typeof startDocumentedApp>>;
  let document: Document;

  beforeAll(async () => {
    service = await startDocumentedApp();
    const response = await service.http().get('/docs-json');
    expect(response.status).toBe(200);
    document = response.body as Document;
  });
  afterAll(() => service.close());

  it('serves Swagger UI and the document without a token', async () => {
    const ui = await service.http().get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
    expect((await service.http().get('/docs-json.yaml')).status).toBe(200);
  });

  it('documents every route, and only routes that exist', () => {
    // Path variables compared by position: the document names them by JSON name, Express by proto name.
    const shape = (path: string): string => path.replace(/\{[^}]+\}|:[A-Za-z_]+/g, '{}');
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${shape(path)}`));
    expect(documented.sort()).toEqual(servedRoutes(service.app).map(({ method, path }) => `${method} ${shape(path)}`).sort());
    for (const rpc of ActionService.methods) {
      const { verb, template } = restMappingOf(rpc);
      const [path] = Object.keys(document.paths).filter((candidate) => shape(candidate) === shape(template));
      expect(document.paths[path][verb].operationId).toBe(rpc.name);
    }
  });

  it('requires the bearer scheme except on the liveness probe, and leaves out what the management port serves', () => {
    expect(document.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/healthz'].get.security).toEqual([]);
    expect(document.paths['/readyz']).toBeUndefined();
    expect(document.paths['/metrics']).toBeUndefined();
    expect(document.paths['/v3alpha/executions'].put.security).toBeUndefined();
    // The Authorize dialog says how to get a token in embedded mode, with the option the command needs.
    expect((document.components.securitySchemes.bearer as { description: string }).description).toContain('npm run -s cli -- token --instance <instance-id> --role IAM_OWNER');
  });

  it('shows each error response with an example of its own status: the code that maps to it and an error id', () => {
    let examples = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [verb, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          const example = (response as { content?: Record<string, { example?: { code: number; message: string; details: { id: string }[] } }> }).content?.['application/json']?.example;
          if (Number(status) < 400 || !example) continue;
          examples += 1;
          const where = `${verb} ${path} ${status}`;
          expect({ where, status: httpStatusFor(example.code, Number(status)) }).toEqual({ where, status: Number(status) });
          expect({ where, message: example.message }).toEqual({ where, message: expect.stringContaining(`(${example.details[0]!.id})`) });
        }
      }
    }
    expect(examples).toBeGreaterThan(100);
    const deleteExecution = document.paths['/v3alpha/executions'].delete.responses as Record<string, { content: Record<string, { example: { code: number } }> }>;
    expect(deleteExecution['400']!.content['application/json'].example.code).toBe(3);
    expect(deleteExecution['404']!.content['application/json'].example).toMatchObject({ code: 5, details: [{ id: 'COMMAND-suq2upd3rt' }] });
  });

  it('describes the shapes of the spec: string int64s, durations, the capital-C Condition, the error body', () => {
    const schemas = document.components.schemas;
    expect(schemas.Details.properties.sequence).toMatchObject({ type: 'string', format: 'int64' });
    expect(schemas.ListDetails.properties.totalResult).toMatchObject({ type: 'string', format: 'int64' });
    expect(schemas.Execution.required).toEqual(['Condition', 'details', 'targets']);
    expect(schemas.Execution.properties.Condition).toMatchObject({ $ref: '#/components/schemas/Condition' });
    expect(schemas.Target.properties.timeout).toMatchObject({ type: 'string', example: '10s' });
    expect(schemas.CreateTargetRequest.properties.timeout).toMatchObject({ type: 'string', example: '10s' });
    expect(schemas.ListQuery.properties.offset.oneOf).toEqual([{ type: 'string', format: 'int64' }, { type: 'integer' }]);
    expect(schemas.Status.required).toEqual(['code', 'message', 'details']);
    expect(Object.keys(schemas.Condition.properties).sort()).toEqual(['event', 'function', 'request', 'response']);
    expect(schemas.SetExecutionRequest.properties.targets).toMatchObject({ type: 'array', minItems: 1 });

    const deleteExecution = document.paths['/v3alpha/executions'].delete;
    expect(deleteExecution.requestBody?.content['application/json'].schema.$ref).toBe('#/components/schemas/DeleteExecutionRequest');
    expect(deleteExecution.responses['404']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Status' } } } });
    expect(document.paths['/v3alpha/events'].get).toMatchObject({
      parameters: [expect.objectContaining({ name: 'fromPosition', in: 'query', required: false }), expect.objectContaining({ name: 'Last-Event-ID', in: 'header' })],
    });
    expect(document.paths['/v3alpha/targets'].post.responses['201']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateTargetResponse' } } } });
  });
});

/** The HTTP status of a gRPC code; 413 and 415 are answered with code 3 or 8 and their own status. */
function httpStatusFor(code: StatusCode, documented: number): number {
  return [413, 415].includes(documented) ? documented : httpStatusOf(code);
}

/**
 * The routes the application serves, but the documentation's own, the web console's pages,
 * what the management port serves (`/metrics`, `/readyz`: their routes answer there only), the
 * RPC paths of gRPC-web and Connect, and the HEAD routes the router adds to every GET.
 */
function servedRoutes(app: object): { method: string; path: string }[] {
  const rpcPath = /^\/[a-z0-9]+(\.[a-z0-9]+)+\.[A-Za-z]+Service\//;
  return routesOf(app).filter(
    ({ method, path }) => method !== 'head' && !/^\/(docs|console)\b/.test(path) && !['/metrics', '/readyz'].includes(path) && !rpcPath.test(path),
  );
}
