import type { ProjectionObserver } from '@app/eventsourcing';
import type { SubscriberObserver } from '@app/eventsourcing';
import type { ServiceMetrics } from './service-metrics';

/** Feeds committed and failed projection batches into the metrics. */
export function projectionMetricsObserver(metrics: ServiceMetrics): ProjectionObserver {
  return {
    onBatch: ({ projection, events, durationMs }) => {
      metrics.projectionEvents.inc({ projection }, events);
      metrics.projectionBatchDuration.observe({ projection }, durationMs / 1000);
    },
    onFailure: ({ projection }) => metrics.projectionFailures.inc({ projection }),
  };
}

/** Feeds subscriber deliveries, failed attempts and parked events into the metrics. */
export function subscriberMetricsObserver(metrics: ServiceMetrics): SubscriberObserver {
  return {
    onDelivered: ({ subscriber }) => metrics.subscriberDeliveries.inc({ subscriber }),
    onFailure: ({ subscriber }) => metrics.subscriberFailures.inc({ subscriber }),
    onParked: ({ subscriber }) => metrics.subscriberParked.inc({ subscriber }),
  };
}
