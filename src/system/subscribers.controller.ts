import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { FailedEvent } from '@app/eventsourcing';
import { RequirePermission } from '../auth';
import { storeUnavailable } from '../common/errors/http-error-ids';
import { BUILT_IN_SUBSCRIBERS } from '../subscribers/built-in-subscribers';
import { ServiceSubscribers } from '../subscribers/service-subscribers';
import { unknownFailedEvent, unknownSubscriber } from './system-errors';
import type { FailedEventList, FailedEventRetry, FailedEventView, SubscriberList } from './system-views';

const failedEventView = (event: FailedEvent): FailedEventView => ({
  id: String(event.id),
  subscriber: event.subscriber,
  position: event.position,
  type: event.type,
  stream: event.stream,
  attempts: event.attempts,
  error: event.error,
  firstFailedAt: event.firstFailedAt.toISOString(),
  lastFailedAt: event.lastFailedAt.toISOString(),
  status: event.status,
});

/** `/system/v1/subscribers`: the durable subscribers, their failed events and retries (as `subscribers` on the command line). */
@Controller('system/v1/subscribers')
export class SubscribersController {
  constructor(private readonly subscribers: ServiceSubscribers) {}

  @Get()
  @RequirePermission('system.subscribers.read')
  async list(): Promise<SubscriberList> {
    return { subscribers: await this.subscribers.report().catch(unavailable) };
  }

  @Get('failed-events')
  @RequirePermission('system.subscribers.read')
  async failed(@Query('subscriber') subscriber: unknown): Promise<FailedEventList> {
    const name = typeof subscriber === 'string' && subscriber !== '' ? subscriber : undefined;
    const known = BUILT_IN_SUBSCRIBERS.map((descriptor) => descriptor.name);
    if (name !== undefined && !known.includes(name)) throw unknownSubscriber(name, known);
    const manager = await this.subscribers.get().catch(unavailable);
    return { failedEvents: (await manager.listFailed({ subscriber: name })).map(failedEventView) };
  }

  /** Delivers one failed event once more with the service's handler; 200 either way, saying whether it was handled. */
  @Post('failed-events/:id/retry')
  @HttpCode(200)
  @RequirePermission('system.subscribers.retry')
  async retry(@Param('id') id: string): Promise<FailedEventRetry> {
    const manager = await this.subscribers.get().catch(unavailable);
    const waiting = /^\d{1,15}$/.test(id) ? (await manager.listFailed()).find((event) => event.id === Number(id)) : undefined;
    if (waiting === undefined) throw unknownFailedEvent(id);
    const outcome = await manager.retryFailed([waiting.id]);
    const [after] = [...outcome.resolved, ...outcome.failed];
    return { resolved: outcome.resolved.length > 0, failedEvent: failedEventView(after ?? waiting) };
  }
}

function unavailable(error: unknown): never {
  throw storeUnavailable(error);
}
