/**
 * Permissions the Actions APIs check: `execution.*` by v3alpha, `action.*` by v2 and v2beta,
 * `action.execution.run` by the runtime (actions.runtime.v1), and `system.*` by the operations
 * endpoints (/system/v1), which see every instance. A token grants them through roles or directly.
 */
export type TenantPermission =
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

/** Operations across all instances: never granted by a tenant role. */
export type SystemPermission =
  | 'system.projections.read'
  | 'system.projections.rebuild'
  | 'system.subscribers.read'
  | 'system.subscribers.retry'
  | 'system.deliveries.read'
  | 'system.deliveries.retry';

export type Permission = TenantPermission | SystemPermission;

export const TENANT_PERMISSIONS: readonly TenantPermission[] = [
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

export const SYSTEM_PERMISSIONS: readonly SystemPermission[] = [
  'system.projections.read',
  'system.projections.rebuild',
  'system.subscribers.read',
  'system.subscribers.retry',
  'system.deliveries.read',
  'system.deliveries.retry',
];

export const ALL_PERMISSIONS: readonly Permission[] = [...TENANT_PERMISSIONS, ...SYSTEM_PERMISSIONS];

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (ALL_PERMISSIONS as readonly string[]).includes(value);
}
