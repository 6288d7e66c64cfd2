import { api } from './client';

/** Shapes of the operations endpoints (/system/v1; see src/system/README.md). */
export interface RebuildJob {
  projection: string;
  state: 'running' | 'done' | 'failed';
  phase: 'replaying' | 'switching' | 'done';
  done: number;
  total: number;
  eventsPerSecond: number;
  etaSeconds: number | null;
  startedAt: string;
  error: string | null;
}

export interface Projection {
  name: string;
  position: number;
  lagEvents: number;
  status: 'live' | 'failing' | 'rebuilding';
  eventsProcessed: number;
  lastError: string | null;
  rebuild: RebuildJob | null;
}

export interface Subscriber {
  name: string;
  position: number;
  lagEvents: number;
  leaseHolder: string | null;
  failedEvents: number;
}

export interface FailedEvent {
  id: string;
  subscriber: string;
  position: number;
  type: string;
  stream: string;
  attempts: number;
  error: string;
}

export interface ParkedDelivery {
  id: string;
  instanceId: string;
  eventType: string;
  targetId: string;
  attempts: number;
  lastError?: string;
  createdAt: string;
}

export const operations = {
  projections: () => api<{ headPosition: number; projections: Projection[] }>('GET', '/system/v1/projections'),
  startRebuild: (name: string) => api<RebuildJob>('POST', `/system/v1/projections/${encodeURIComponent(name)}/rebuild`),
  rebuild: (name: string) => api<RebuildJob>('GET', `/system/v1/projections/${encodeURIComponent(name)}/rebuild`),
  subscribers: () => api<{ subscribers: Subscriber[] }>('GET', '/system/v1/subscribers'),
  failedEvents: () => api<{ failedEvents: FailedEvent[] }>('GET', '/system/v1/subscribers/failed-events'),
  retryFailedEvent: (id: string) => api<{ resolved: boolean; failedEvent: FailedEvent }>('POST', `/system/v1/subscribers/failed-events/${encodeURIComponent(id)}/retry`),
  deliveries: () => api<{ deliveries: ParkedDelivery[] }>('GET', '/system/v1/deliveries'),
  retryDelivery: (id: string) => api<{ retried: string }>('POST', `/system/v1/deliveries/${encodeURIComponent(id)}/retry`),
};
