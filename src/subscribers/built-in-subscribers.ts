import { EXECUTION_SET } from '../executions/domain/execution-events';
import { TARGET_REMOVED } from '../targets/domain/target-events';

/** Name and event types of a subscriber, what reading its status and failed events needs. */
export interface SubscriberDescriptor {
  readonly name: string;
  readonly eventTypes: readonly string[];
}

export const EXECUTION_TARGET_CLEANUP = 'execution-target-cleanup';
export const EXECUTION_TARGET_CLEANUP_EVENTS: readonly string[] = [TARGET_REMOVED, EXECUTION_SET];

/** Every subscriber the service runs (kept apart from their handlers so tools can load it cheaply). */
export const BUILT_IN_SUBSCRIBERS: readonly SubscriberDescriptor[] = [{ name: EXECUTION_TARGET_CLEANUP, eventTypes: EXECUTION_TARGET_CLEANUP_EVENTS }];
