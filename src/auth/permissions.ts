/**
 * Permissions the Actions APIs check: `execution.*` by v3alpha, `action.*` by v2 and v2beta, and
 * `action.execution.run` by the runtime (actions.runtime.v1). A token grants them through roles or
 * directly.
 */
export type Permission =
  | 'execution.target.read'
  | 'execution.target.write'
  | 'execution.target.delete'
  | 'execution.read'
  | 'execution.write'
  | 'execution.delete'
  | 'action.target.read'
  | 'action.target.write'
  | 'action.target.delete'
  | 'action.execution.read'
  | 'action.execution.write'
  | 'action.execution.run';

export const ALL_PERMISSIONS: readonly Permission[] = [
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
];

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (ALL_PERMISSIONS as readonly string[]).includes(value);
}
