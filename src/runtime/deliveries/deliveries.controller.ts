import { Controller, Get, Query } from '@nestjs/common';
import { CurrentCaller, RequirePermission, type Caller } from '../../auth';
import { invalidRequest, storeUnavailable } from '../../common/errors/http-error-ids';
import type { DeliveryList } from './delivery-json';
import { deliveryView } from './delivery-view';
import { EventDeliveries } from './event-deliveries';

/** The states `GET /runtime/v1/deliveries` lists. */
export const LISTED_DELIVERY_STATES = ['parked', 'pending'] as const;
type ListedState = (typeof LISTED_DELIVERY_STATES)[number];

/** Deliveries one answer lists at most, oldest first. */
export const MAX_LISTED_DELIVERIES = 1000;

/**
 * `GET /runtime/v1/deliveries?state=parked|pending`: the caller's instance's event deliveries
 * in that state (default parked), oldest first. Permission `action.target.read`: a delivery
 * names a target and what it answered.
 */
@Controller('runtime/v1/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: EventDeliveries) {}

  @Get()
  @RequirePermission('action.target.read')
  async list(@CurrentCaller() caller: Caller, @Query('state') state: unknown): Promise<DeliveryList> {
    const wanted = parseState(state);
    const { store } = await this.deliveries.get().catch((error: unknown) => {
      throw storeUnavailable(error);
    });
    const rows = await store.list(wanted, { instanceId: caller.instanceId, limit: MAX_LISTED_DELIVERIES });
    return { deliveries: rows.map(deliveryView) };
  }
}

function parseState(state: unknown): ListedState {
  if (state === undefined || state === '') return 'parked';
  if (typeof state === 'string' && (LISTED_DELIVERY_STATES as readonly string[]).includes(state)) return state as ListedState;
  throw invalidRequest(`state must be one of ${LISTED_DELIVERY_STATES.join(', ')}`);
}
