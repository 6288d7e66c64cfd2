import { api } from './client';
import type {
  DeliveryRetry,
  FailedEventList,
  FailedEventRetry,
  ParkedDeliveryList,
  ProjectionList,
  RebuildJob,
  SubscriberList,
} from '../../../src/system/system-views';

/** The operations endpoints (/system/v1; see src/system/README.md), answering the service's own declarations. */
export const operations = {
  projections: () => api<ProjectionList>('GET', '/system/v1/projections'),
  startRebuild: (name: string) => api<RebuildJob>('POST', `/system/v1/projections/${encodeURIComponent(name)}/rebuild`),
  rebuild: (name: string) => api<RebuildJob>('GET', `/system/v1/projections/${encodeURIComponent(name)}/rebuild`),
  subscribers: () => api<SubscriberList>('GET', '/system/v1/subscribers'),
  failedEvents: () => api<FailedEventList>('GET', '/system/v1/subscribers/failed-events'),
  retryFailedEvent: (id: string) => api<FailedEventRetry>('POST', `/system/v1/subscribers/failed-events/${encodeURIComponent(id)}/retry`),
  deliveries: () => api<ParkedDeliveryList>('GET', '/system/v1/deliveries'),
  retryDelivery: (id: string) => api<DeliveryRetry>('POST', `/system/v1/deliveries/${encodeURIComponent(id)}/retry`),
};
