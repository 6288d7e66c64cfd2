import { Controller, Get, Headers, Inject, Injectable, Logger, Query, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, RequirePermission, type Caller } from '../auth';
import { SECRET_BOX, type SecretBox } from '../common/crypto/secret-box';
import { ApiError, StatusCode } from '../common/errors/api-error';
import { invalidRequest } from '../common/errors/http-error-ids';
import { OPERATIONS_OPTIONS, type OperationsOptions } from '../observability/operations-options';
import { EVENT_STORE } from '../persistence/persistence.tokens';
import { EventCursors } from './event-cursor';
import { EventStreamSession } from './event-stream-session';
import { EVENT_STREAM_PERMISSIONS, mayRead } from './event-visibility';

/** Error ids of refused event streams. */
export const EventStreamErrorId = {
  tenantLimit: 'STREAM-7tq2mw4k9d',
  totalLimit: 'STREAM-3hx8vz1c6r',
} as const;

/** A place for one stream, held from before the stream starts until it has ended. */
export interface StreamSlot {
  release(): void;
}

/**
 * The open streams, so shutdown can end them (an open stream would keep the server from
 * closing), and the caps on them: each stream holds a store subscription and a socket, so one
 * instance may hold `eventStreamMaxPerTenant` of them and the replica `eventStreamMaxTotal`.
 */
@Injectable()
export class OpenEventStreams implements BeforeApplicationShutdown {
  private readonly sessions = new Set<EventStreamSession>();
  private readonly slotsByTenant = new Map<string, number>();
  private slots = 0;

  constructor(@Inject(OPERATIONS_OPTIONS) private readonly operations: OperationsOptions) {}

  /** Takes a place for a stream of `tenant`, or throws 429 code 8 when a cap is reached. */
  reserve(tenant: string): StreamSlot {
    const held = this.slotsByTenant.get(tenant) ?? 0;
    if (held >= this.operations.eventStreamMaxPerTenant) {
      throw new ApiError(StatusCode.ResourceExhausted, EventStreamErrorId.tenantLimit, `This instance already has ${held} event streams open, close one first`);
    }
    if (this.slots >= this.operations.eventStreamMaxTotal) {
      throw new ApiError(StatusCode.ResourceExhausted, EventStreamErrorId.totalLimit, 'Too many event streams are open, try again later');
    }
    this.slotsByTenant.set(tenant, held + 1);
    this.slots += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.slots -= 1;
        const left = (this.slotsByTenant.get(tenant) ?? 1) - 1;
        if (left > 0) this.slotsByTenant.set(tenant, left);
        else this.slotsByTenant.delete(tenant);
      },
    };
  }

  add(session: EventStreamSession): void {
    this.sessions.add(session);
  }

  remove(session: EventStreamSession): void {
    this.sessions.delete(session);
  }

  /** The streams open right now. */
  list(): EventStreamSession[] {
    return [...this.sessions];
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.sessions].map((session) => session.end()));
  }
}

/** A non-negative safe integer given as text, or undefined when absent. */
function parsePosition(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  const position = /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isSafeInteger(position)) throw invalidRequest(`${name} must be a non-negative integer position`);
  return position;
}

/**
 * The position Last-Event-ID names: the id of a message this instance received (a cursor), or
 * a position as the ids of earlier versions were, so streams opened before an upgrade resume.
 */
function resumePosition(cursors: EventCursors, tenant: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return parsePosition(trimmed, 'Last-Event-ID');
  const position = cursors.decode(tenant, trimmed);
  if (position === undefined) throw invalidRequest('Last-Event-ID must be the id of a message this instance received from the event stream');
  return position;
}

/**
 * `GET /v3alpha/events`: the caller's instance's events as Server-Sent Events, first those
 * already stored (from `fromPosition`, inclusive; default 0), then live. A client resuming
 * after a disconnect sends `Last-Event-ID` (the id of the last message it got, a position) and
 * receives the events after it; the header wins over `fromPosition`. Message ids are cursors
 * sealed for the caller's instance (EventCursors), not log positions.
 */
@Controller('v3alpha/events')
export class EventStreamController {
  private readonly logger = new Logger('EventStream');
  private readonly cursors: EventCursors;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(OPERATIONS_OPTIONS) private readonly operations: OperationsOptions,
    @Inject(SECRET_BOX) secrets: SecretBox,
    private readonly streams: OpenEventStreams,
  ) {
    this.cursors = new EventCursors(secrets);
  }

  @Get()
  @RequirePermission(...EVENT_STREAM_PERMISSIONS)
  async stream(
    @CurrentCaller() caller: Caller,
    @Query('fromPosition') fromPosition: string | undefined,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const resumeAfter = resumePosition(this.cursors, caller.instanceId, lastEventId);
    const start = resumeAfter !== undefined ? resumeAfter + 1 : (parsePosition(typeof fromPosition === 'string' ? fromPosition : undefined, 'fromPosition') ?? 0);
    const slot = this.streams.reserve(caller.instanceId);
    try {
      // An unreachable store is answered 503 now, rather than with a stream that ends at once.
      await this.store.headPosition();
    } catch (error) {
      slot.release();
      throw error;
    }
    // The stream is written to the Node response directly, never through the framework's reply.
    reply.hijack();
    const session: EventStreamSession = new EventStreamSession(reply.raw, {
      store: this.store,
      tenant: caller.instanceId,
      mayRead: (event) => mayRead(caller, event),
      fromPosition: start,
      cursorOf: (event) => this.cursors.encode(caller.instanceId, event.position),
      heartbeatMs: this.operations.eventStreamHeartbeatMs,
      onEnd: () => {
        this.streams.remove(session);
        slot.release();
      },
      onError: (error) => this.logger.warn(`Event stream ended by a store failure: ${error instanceof Error ? error.message : String(error)}`),
    });
    this.streams.add(session);
    session.start();
  }
}
