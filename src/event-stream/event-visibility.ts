import type { StoredEvent } from '@app/event-store';
import type { Caller, Permission } from '../auth';

/**
 * The permission that reads each stream category's aggregates through the API: the event
 * stream shows an event only to a caller who could read its aggregate there. A category not
 * listed here is shown to no one, so a new aggregate is private until it is added.
 */
export const READ_PERMISSION_BY_CATEGORY: Readonly<Record<string, Permission>> = {
  execution: 'execution.read',
  target: 'execution.target.read',
  // Target names reserved and released: the names of targets.
  'target-name': 'execution.target.read',
};

/** Permissions any of which opens the event stream (each then shows its own aggregates). */
export const EVENT_STREAM_PERMISSIONS = ['execution.read', 'execution.target.read'] as const satisfies readonly Permission[];

/** Whether `caller` may see `event` (its tenant is checked by the store subscription's filter). */
export function mayRead(caller: Caller, event: StoredEvent): boolean {
  const category = event.stream.split(':', 1)[0];
  const permission = Object.hasOwn(READ_PERMISSION_BY_CATEGORY, category) ? READ_PERMISSION_BY_CATEGORY[category] : undefined;
  return permission !== undefined && caller.permissions.has(permission);
}
