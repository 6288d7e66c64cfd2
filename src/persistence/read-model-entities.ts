import { projectionEngineEntities, subscriptionManagerEntities, type EntityTarget, type Projection } from '@app/eventsourcing';
import { deliveryEntities } from '../runtime/deliveries/delivery-tables';

/** Every table of the read-model database: the projections', the subscribers' bookkeeping, and event deliveries. */
export function readModelEntities(projections: readonly Projection[]): EntityTarget[] {
  return [...projectionEngineEntities(projections), ...subscriptionManagerEntities(), ...deliveryEntities];
}
