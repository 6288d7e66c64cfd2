/** Permissions the Actions API checks (spec §1); a token grants them through roles or directly. */
export type Permission =
  | 'execution.target.read'
  | 'execution.target.write'
  | 'execution.target.delete'
  | 'execution.read'
  | 'execution.write'
  | 'execution.delete';

export const ALL_PERMISSIONS: readonly Permission[] = [
  'execution.target.read',
  'execution.target.write',
  'execution.target.delete',
  'execution.read',
  'execution.write',
  'execution.delete',
];

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && (ALL_PERMISSIONS as readonly string[]).includes(value);
}
