import { projectionEngineEntities, subscriptionManagerEntities, type EntityTarget, type Projection } from '@app/eventsourcing';
import { deliveryEntities } from '../runtime/deliveries/delivery-tables';
import { RebuildJobEntity } from '../system/rebuild-job-table';

/** Every table of the read-model database: the projections', the subscribers' bookkeeping, event deliveries, and the operators' rebuilds. */
export function readModelEntities(projections: readonly Projection[]): EntityTarget[] {
  return [...projectionEngineEntities(projections), ...subscriptionManagerEntities(), ...deliveryEntities, RebuildJobEntity];
}
