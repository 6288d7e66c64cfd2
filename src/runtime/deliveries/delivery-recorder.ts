import type { EventStore, ReadAllResult, StoredEvent, Subscription } from '@app/event-store';
import type { ProjectionLogger } from '@app/eventsourcing';
import type { ExecutionIndex } from '../index/execution-index';
import { deliverableEvent } from './deliverable-event';
import type { DeliveryStore, NewDelivery } from './delivery-store';

const PAGE_SIZE = 500;
const POLL_MS = 1_000;

/**
 * The durable subscriber of event executions (spec §4): reads the log from its checkpoint,
 * turns each event into one delivery per target of its most specific event execution, and
 * records them in the transaction that moves the checkpoint past them, so every event's
 * deliveries are recorded exactly once, whichever replica gets there first.
 *
 * A page is resolved before the transaction (the index may need a moment to reach the page's
 * positions); the transaction then commits it only if the checkpoint is still where the page
 * was read from, so two replicas never both record a page and no write lock is held meanwhile.
 */
export class DeliveryRecorder {
  private live = false;
  private running: Promise<void> | undefined;
  private again = false;
  private subscription: Subscription | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** The checkpoint as this recorder last wrote it; undefined when it must be read. */
  private checkpoint: number | undefined;
  /** Where the live subscription's pages have reached: the last position it handed over. */
  private subscribedUpTo = 0;
  /**
   * Events the live subscription handed over: every event of the log after `after` up to the
   * last one (its pages follow each other without gaps). When the checkpoint is at `after`,
   * this is the next page, and reading it again would be one more round trip per page.
   */
  private offered: { after: number; events: StoredEvent[] } | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly deliveries: DeliveryStore,
    private readonly index: ExecutionIndex,
    private readonly onRecorded: () => void,
    private readonly logger: ProjectionLogger,
  ) {}

  /** Creates the tables; a first start records from the log's head on (history is not delivered). */
  init(): Promise<void> {
    return this.deliveries.init(() => this.store.headPosition());
  }

  async start(): Promise<void> {
    if (this.live) return;
    await this.init();
    this.live = true;
    const head = await this.store.headPosition();
    this.subscribedUpTo = head;
    this.subscription = this.store.subscribe({ fromPosition: head + 1 }, (events) => {
      this.offer(events);
      this.wake();
    });
    this.subscription.done.catch(() => undefined);
    this.schedulePoll();
    this.wake();
  }

  async stop(): Promise<void> {
    this.live = false;
    clearTimeout(this.pollTimer);
    await this.subscription?.close();
    this.subscription = undefined;
    await this.running;
  }

  wake(): void {
    if (!this.live) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.recordPages();
          this.failures = 0;
        } catch (error) {
          this.failures += 1;
          this.logger.error('Recording event deliveries failed; retrying', { error: error instanceof Error ? error.message : String(error), attempt: this.failures });
          await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 100 * 2 ** Math.min(this.failures, 9))));
          this.again = this.live;
        }
      } while (this.again && this.live);
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Records pages until the end of the log; resolves to the checkpoint reached. */
  private async recordPages(): Promise<number> {
    for (;;) {
      // The checkpoint this recorder last wrote saves a read per page; recordPage() refuses it if another replica moved on since.
      const from = this.checkpoint ?? (await this.deliveries.checkpoint());
      if (from === undefined) throw new Error('The event-executions checkpoint row is missing');
      this.checkpoint = undefined;
      const read = this.takeOffered(from) ?? (await this.store.readAll({ fromPosition: from + 1, maxCount: PAGE_SIZE }));
      const deliveries = await this.deliveriesOf(read.events);
      const to = Math.max(from, read.nextPosition - 1, read.events.at(-1)?.position ?? 0);
      if (to === from) {
        this.checkpoint = from;
        return from;
      }
      // False: another replica recorded this page meanwhile; read again from its checkpoint.
      const recorded = await this.deliveries.recordPage(from, to, deliveries);
      if (recorded) this.checkpoint = to;
      if (recorded && deliveries.length > 0) this.onRecorded();
      if (read.isEnd) return to;
      // better-sqlite3 answers synchronously: let timers and requests in between pages.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private offer(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    const after = this.subscribedUpTo;
    this.subscribedUpTo = events.at(-1)!.position;
    const offered = this.offered;
    if (offered !== undefined && offered.events.at(-1)!.position === after && offered.events.length + events.length <= PAGE_SIZE) offered.events.push(...events);
    else this.offered = { after, events: [...events] };
  }

  /** The offered events when they are the page after `from`; offered events already behind the checkpoint are let go. */
  private takeOffered(from: number): ReadAllResult | undefined {
    const offered = this.offered;
    if (offered === undefined || offered.after > from) return undefined;
    this.offered = undefined;
    if (offered.after < from) return undefined;
    return { events: offered.events, nextPosition: offered.events.at(-1)!.position + 1, isEnd: true };
  }

  private async deliveriesOf(events: readonly StoredEvent[]): Promise<NewDelivery[]> {
    const deliveries: NewDelivery[] = [];
    for (const event of events) {
      const deliverable = deliverableEvent(event);
      if (deliverable === undefined) continue;
      const correlationId = event.metadata.correlationId;
      const chain = await this.index.eventChain(deliverable.instanceId, deliverable.eventType, event.position);
      if (chain.length === 0) continue;
      const body = deliverable.body();
      chain.forEach((target, chainIndex) =>
        deliveries.push({
          instanceId: deliverable.instanceId,
          eventId: deliverable.eventId,
          eventType: deliverable.eventType,
          targetId: target.id,
          chainIndex,
          eventPosition: event.position,
          requestId: typeof correlationId === 'string' ? correlationId.slice(0, 200) : null,
          body,
          createdAt: event.createdAt.getTime(),
          interruptOnError: target.interruptOnError,
        }),
      );
    }
    return deliveries;
  }

  private schedulePoll(): void {
    if (!this.live) return;
    this.pollTimer = setTimeout(() => {
      this.wake();
      this.schedulePoll();
    }, POLL_MS);
    this.pollTimer.unref();
  }
}
