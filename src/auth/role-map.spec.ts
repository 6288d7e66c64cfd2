import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/config-error';
import { DEFAULT_ROLE_MAP, loadRoleMapFile, permissionsOfRoles } from './role-map';

describe('role map', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'role-map-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  function fileWith(content: string): string {
    const path = join(scratch, 'roles.json');
    writeFileSync(path, content);
    return path;
  }

  async function messageOf(path: string): Promise<string> {
    const error: unknown = await loadRoleMapFile(path).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    if (!(error instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${String(error)}`);
    expect(error.variable).toBe('AUTH_ROLE_MAP_FILE');
    return error.message;
  }

  it('grants IAM_OWNER every tenant permission, IAM_OWNER_VIEWER the reads, ACTIONS_RUNNER only running, SYSTEM_OWNER only the system ones, other roles nothing', () => {
    expect(permissionsOfRoles(['IAM_OWNER'], DEFAULT_ROLE_MAP)).toEqual([
      'execution.target.read',
      'execution.target.write',
      'execution.target.delete',
      'execution.read',
      'execution.write',
      'execution.delete',
      'action.target.read',
      'action.target.write',
      'action.target.delete',
      'action.execution.read',
      'action.execution.write',
      'action.execution.run',
    ]);
    expect(permissionsOfRoles(['IAM_OWNER_VIEWER'], DEFAULT_ROLE_MAP)).toEqual(['execution.target.read', 'execution.read', 'action.target.read', 'action.execution.read']);
    expect(permissionsOfRoles(['ACTIONS_RUNNER'], DEFAULT_ROLE_MAP)).toEqual(['action.execution.run']);
    expect(permissionsOfRoles(['SYSTEM_OWNER'], DEFAULT_ROLE_MAP)).toEqual([
      'system.projections.read',
      'system.projections.rebuild',
      'system.subscribers.read',
      'system.subscribers.retry',
      'system.deliveries.read',
      'system.deliveries.retry',
    ]);
    // No tenant role reaches across instances.
    for (const role of ['IAM_OWNER', 'IAM_OWNER_VIEWER', 'ACTIONS_RUNNER']) {
      expect(permissionsOfRoles([role], DEFAULT_ROLE_MAP).filter((permission) => permission.startsWith('system.'))).toEqual([]);
    }
    expect(permissionsOfRoles(['ORG_OWNER', 'iam_owner'], DEFAULT_ROLE_MAP)).toEqual([]);
  });

  it('loads a file that replaces the built-in map', async () => {
    const roleMap = await loadRoleMapFile(fileWith('{"ACTIONS_EDITOR": ["execution.read", "execution.write"], "NOBODY": []}'));
    expect(permissionsOfRoles(['ACTIONS_EDITOR'], roleMap)).toEqual(['execution.read', 'execution.write']);
    expect(permissionsOfRoles(['IAM_OWNER'], roleMap)).toEqual([]);
    expect(roleMap.get('NOBODY')).toEqual([]);
  });

  it('refuses unreadable, non-JSON and wrongly shaped files', async () => {
    expect(await messageOf(join(scratch, 'missing.json'))).toContain('cannot be read');
    expect(await messageOf(fileWith('{'))).toContain('is not valid JSON');
    expect(await messageOf(fileWith('["IAM_OWNER"]'))).toContain('must be a JSON object');
    expect(await messageOf(fileWith('{"IAM_OWNER": "execution.read"}'))).toContain('role "IAM_OWNER" is not an array');
  });

  it('refuses unknown permissions, naming them', async () => {
    expect(await messageOf(fileWith('{"EDITOR": ["execution.read", "execution.wirte"]}'))).toContain(
      'role "EDITOR" lists unknown permission(s) "execution.wirte"',
    );
  });
});
