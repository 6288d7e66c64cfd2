import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { RequirePermission } from '../auth';
import { storeUnavailable } from '../common/errors/http-error-ids';
import { MAX_LISTED_DELIVERIES } from '../runtime/deliveries/deliveries.controller';
import { deliveryView } from '../runtime/deliveries/delivery-view';
import { EventDeliveries } from '../runtime/deliveries/event-deliveries';
import { notParked } from './system-errors';
import type { DeliveryRetry, ParkedDeliveryList } from './system-views';

/**
 * `/system/v1/deliveries`: parked event deliveries of every instance, and their retry (as
 * `deliveries list` and `deliveries retry` on the command line); the workers send them again.
 */
@Controller('system/v1/deliveries')
export class SystemDeliveriesController {
  constructor(private readonly deliveries: EventDeliveries) {}

  @Get()
  @RequirePermission('system.deliveries.read')
  async list(): Promise<ParkedDeliveryList> {
    const { store } = await this.deliveries.get().catch(unavailable);
    const rows = await store.list('parked', { limit: MAX_LISTED_DELIVERIES });
    return { deliveries: rows.map((row) => ({ instanceId: row.instanceId, ...deliveryView(row) })) };
  }

  @Post(':id/retry')
  @HttpCode(200)
  @RequirePermission('system.deliveries.retry')
  async retry(@Param('id') id: string): Promise<DeliveryRetry> {
    if (!/^\d{1,15}$/.test(id)) throw notParked(id);
    const { store } = await this.deliveries.get().catch(unavailable);
    const retried = await store.retryParked({ ids: [Number(id)] });
    if (retried.length === 0) throw notParked(id);
    return { retried: id };
  }
}

function unavailable(error: unknown): never {
  throw storeUnavailable(error);
}
