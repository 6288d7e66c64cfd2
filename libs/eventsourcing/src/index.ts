export * from './aggregate/aggregate-root';
export * from './aggregate/aggregate-repository';
export * from './command-handling/handle-command';
export * from './projections/projection';
export * from './projections/projection-engine';
export * from './projections/projection-state.entity';
export * from './projections/errors';
export type { ProjectionLogger } from './projections/logger';
export type { ProjectionObserver, ProjectionBatchInfo, ProjectionFailureInfo } from './projections/observer';
export type { RebuildOptions, RebuildResult, RebuildInfo } from './projections/rebuild/projection-rebuild';
export type { RebuildProgress, RebuildPhase } from './projections/rebuild/rebuild-progress';
export type { EventSubscriber } from './subscribers/event-subscriber';
export {
  SubscriptionManager,
  subscriptionManagerEntities,
  type SubscriptionManagerOptions,
  type SubscriptionManagerStatus,
  type SubscriberStatus,
} from './subscribers/subscription-manager';
export type { FailedEvent, ListFailedOptions, RetryFailedResult } from './subscribers/failed-events';
export { SubscriberCheckpointEntity, FailedEventEntity, type SubscriberCheckpointRow, type FailedEventRow, type FailedEventStatus } from './subscribers/subscriber-tables';
export type { SubscriberObserver, SubscriberDeliveryInfo, SubscriberFailureInfo, SubscriberParkedInfo } from './subscribers/subscriber-observer';
export { UnknownSubscriberError, SubscriberWaitTimeoutError } from './subscribers/errors';
export { countEvents, type CountEventsOptions } from './log/count-events';
