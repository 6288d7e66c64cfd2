import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/config-error';
import { ALL_PERMISSIONS, SYSTEM_PERMISSIONS, TENANT_PERMISSIONS, isPermission, type Permission } from './permissions';

/** Role name → the permissions the role grants. */
export type RoleMap = ReadonlyMap<string, readonly Permission[]>;

/**
 * ZITADEL's instance roles, as far as this API is concerned, ACTIONS_RUNNER for host systems
 * that only run actions, and SYSTEM_OWNER for the service's operators (projections, subscribers
 * and deliveries of every instance; no tenant data); other roles grant nothing.
 */
export const DEFAULT_ROLE_MAP: RoleMap = new Map<string, readonly Permission[]>([
  ['IAM_OWNER', TENANT_PERMISSIONS],
  ['IAM_OWNER_VIEWER', ['execution.target.read', 'execution.read', 'action.target.read', 'action.execution.read']],
  ['ACTIONS_RUNNER', ['action.execution.run']],
  ['SYSTEM_OWNER', SYSTEM_PERMISSIONS],
]);

export function permissionsOfRoles(roles: readonly string[], roleMap: RoleMap): Permission[] {
  return roles.flatMap((role) => roleMap.get(role) ?? []);
}

/**
 * Reads a role map replacing {@link DEFAULT_ROLE_MAP}: a JSON object of role name → array of
 * permissions, e.g. `{"IAM_OWNER": ["execution.read", ...], "ACTIONS_ADMIN": [...]}`.
 * Unknown permissions are refused, so a typo cannot silently grant nothing.
 */
export async function loadRoleMapFile(path: string, variable = 'AUTH_ROLE_MAP_FILE'): Promise<RoleMap> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(variable, `${variable} "${path}" cannot be read`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(variable, `${variable} "${path}" is not valid JSON`, { cause });
  }
  const shape = `${variable} "${path}" must be a JSON object of role name to an array of permissions (${ALL_PERMISSIONS.join(', ')})`;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(variable, shape);
  const roleMap = new Map<string, readonly Permission[]>();
  for (const [role, permissions] of Object.entries(parsed)) {
    if (!Array.isArray(permissions)) throw new ConfigError(variable, `${shape}; role "${role}" is not an array`);
    const unknown = permissions.filter((permission) => !isPermission(permission));
    if (unknown.length > 0) {
      throw new ConfigError(variable, `${shape}; role "${role}" lists unknown permission(s) ${unknown.map((u) => JSON.stringify(u)).join(', ')}`);
    }
    roleMap.set(role, permissions.filter(isPermission));
  }
  return roleMap;
}
