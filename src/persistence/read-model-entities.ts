import { projectionEngineEntities, subscriptionManagerEntities, type EntityTarget, type Projection } from '@app/eventsourcing';

/** Every table of the read-model database: the projections' and the subscribers' bookkeeping. */
export function readModelEntities(projections: readonly Projection[]): EntityTarget[] {
  return [...projectionEngineEntities(projections), ...subscriptionManagerEntities()];
}
