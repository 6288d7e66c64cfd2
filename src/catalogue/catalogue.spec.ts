import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogueError, loadCatalogue } from './catalogue';

describe('catalogue', () => {
  const dir = mkdtempSync(join(tmpdir(), 'catalogue-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string): string => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  it('ships a default describing the ZITADEL API surface', () => {
    const catalogue = loadCatalogue();
    for (const method of ['ListSessions', 'GetSession', 'CreateSession', 'SetSession', 'DeleteSession']) {
      expect(catalogue.hasMethod(`/zitadel.session.v2.SessionService/${method}`)).toBe(true);
    }
    expect(catalogue.hasMethod('/zitadel.management.v1.ManagementService/UpdateAction')).toBe(true);
    for (const service of ['zitadel.user.v2.UserService', 'zitadel.action.v3alpha.ActionService', 'zitadel.management.v1.ManagementService']) {
      expect(catalogue.hasService(service)).toBe(true);
    }
    expect(catalogue.hasFunction('Action.Flow.Type.CustomizeSAMLResponse.Action.TriggerType.PreSAMLResponseCreation')).toBe(true);
    expect(catalogue.functions).toHaveLength(14);
    expect(catalogue.hasMethod('/zitadel.session.v2.SessionService/Nope')).toBe(false);
  });

  it('ships ZITADEL’s v2 function names and both v2 ActionServices', () => {
    const catalogue = loadCatalogue();
    for (const name of ['preuserinfo', 'preaccesstoken', 'presamlresponse', 'preotpsmscode', 'preotpemailcode']) expect(catalogue.hasFunction(name)).toBe(true);
    const rpcs = ['CreateTarget', 'UpdateTarget', 'DeleteTarget', 'GetTarget', 'ListTargets', 'SetExecution', 'ListExecutions'];
    for (const service of ['zitadel.action.v2.ActionService', 'zitadel.action.v2beta.ActionService']) {
      expect(catalogue.hasService(service)).toBe(true);
      for (const rpc of [...rpcs, 'ListExecutionFunctions', 'ListExecutionMethods', 'ListExecutionServices']) expect(catalogue.hasMethod(`/${service}/${rpc}`)).toBe(true);
      expect(catalogue.hasMethod(`/${service}/DeleteExecution`)).toBe(false);
    }
  });

  it('lists everything sorted', () => {
    const catalogue = loadCatalogue(write('ok.json', JSON.stringify({ services: { 'b.S': ['Z', 'A'], 'a.S': ['M'] }, functions: ['f2', 'f1'] })));
    expect(catalogue.services).toEqual(['a.S', 'b.S']);
    expect(catalogue.methods).toEqual(['/a.S/M', '/b.S/A', '/b.S/Z']);
    expect(catalogue.functions).toEqual(['f1', 'f2']);
  });

  it.each([
    ['missing.json', undefined, /cannot be read/],
    ['garbage.json', '{nope', /not valid JSON/],
    ['array.json', '[]', /must be a JSON object/],
    ['no-functions.json', '{"services":{}}', /"functions"/],
    ['bad-method.json', '{"services":{"a.S":["x/y"]},"functions":[]}', /"services.a.S"/],
  ])('refuses %s with a clear message', (name, content, message) => {
    const file = content === undefined ? join(dir, name) : write(name, content);
    expect(() => loadCatalogue(file)).toThrow(CatalogueError);
    expect(() => loadCatalogue(file)).toThrow(message);
  });
});
