import { randomUUID } from 'node:crypto';
import type { EventMetadata, EventStore, EventToAppend, JsonObject } from '@app/event-store';
import { streamName } from '../../src/common/domain/stream-name';
import { conditionToId, type Condition } from '../../src/executions/domain/condition';
import { EXECUTION_REMOVED, EXECUTION_SET, ExecutionTargetKind } from '../../src/executions/domain/execution-events';
import { TARGET_NAME_RESERVED } from '../../src/targets/domain/target-name.aggregate';
import { TARGET_ADDED, TARGET_CHANGED, TargetType } from '../../src/targets/domain/target-events';

/** One stream's events, appended in chunks so that streams interleave in the log. */
interface StreamPlan {
  stream: string;
  tenant: string;
  events: { type: string; data: JsonObject }[];
  next: number;
}

export interface SeedFigures {
  events: number;
  appends: number;
  instances: number;
  streams: number;
  seconds: number;
}

const TARGETS_PER_INSTANCE = 4;
const EXECUTIONS_PER_INSTANCE = 40;
/** Instances planned (and their streams interleaved) together; bounds the memory of the plan. */
const INSTANCES_PER_GROUP = 100;
const MAX_EVENTS_PER_APPEND = 3;
const CONCURRENT_APPENDS = 8;

const EXECUTION_CONDITIONS: Condition[] = [
  { type: 'request', match: 'method', value: '/zitadel.session.v2.SessionService/ListSessions' },
  { type: 'request', match: 'method', value: '/zitadel.session.v2.SessionService/CreateSession' },
  { type: 'response', match: 'method', value: '/zitadel.session.v2.SessionService/GetSession' },
  { type: 'request', match: 'service', value: 'zitadel.user.v2.UserService' },
  { type: 'response', match: 'service', value: 'zitadel.session.v2.SessionService' },
  { type: 'request', match: 'all' },
  { type: 'event', match: 'all' },
  { type: 'function', match: 'name', value: 'Action.Flow.Type.ExternalAuthentication.Action.TriggerType.PostAuthentication' },
];

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same log. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function conditionOf(index: number): Condition {
  if (index < EXECUTION_CONDITIONS.length) return EXECUTION_CONDITIONS[index];
  return index % 2 === 0 ? { type: 'event', match: 'event', value: `user.human.field${index}.changed` } : { type: 'event', match: 'group', value: `org.unit${index}` };
}

/**
 * The streams of one instance as the service writes them: targets with their name
 * reservations (some later changed), and executions set, re-set and removed over time.
 */
function instanceStreams(instance: string, instanceNumber: number, next: () => number): StreamPlan[] {
  const streams: StreamPlan[] = [];
  const targetIds: string[] = [];
  for (let t = 0; t < TARGETS_PER_INSTANCE; t += 1) {
    const id = `${String(instanceNumber).padStart(10, '0')}${String(t).padStart(8, '0')}`;
    const name = `hook-${t}`;
    targetIds.push(id);
    streams.push({ stream: streamName('target-name', instance, name), tenant: instance, events: [{ type: TARGET_NAME_RESERVED, data: { targetId: id } }], next: 0 });
    const events = [
      {
        type: TARGET_ADDED,
        data: { name, targetType: TargetType.Webhook, endpoint: `https://hooks.example.com/${instance}/${name}`, timeout: 10_000_000_000, interruptOnError: true },
      },
    ];
    if (t % 2 === 1) events.push({ type: TARGET_CHANGED, data: { timeout: 5_000_000_000 } } as (typeof events)[number]);
    streams.push({ stream: streamName('target', instance, id), tenant: instance, events, next: 0 });
  }
  for (let e = 0; e < EXECUTIONS_PER_INSTANCE; e += 1) {
    const length = 4 + Math.floor(next() * 9);
    const events: StreamPlan['events'] = [];
    for (let k = 0; k < length; k += 1) {
      // Every fourth change removes the execution; the others set one or two targets.
      if (k % 4 === 3) events.push({ type: EXECUTION_REMOVED, data: {} });
      else {
        const count = 1 + Math.floor(next() * 2);
        const first = Math.floor(next() * TARGETS_PER_INSTANCE);
        const targets = Array.from({ length: count }, (_, i) => ({ type: ExecutionTargetKind.Target, target: targetIds[(first + i) % TARGETS_PER_INSTANCE] }));
        events.push({ type: EXECUTION_SET, data: { targets } });
      }
    }
    streams.push({ stream: streamName('execution', instance, conditionToId(conditionOf(e))), tenant: instance, events, next: 0 });
  }
  return streams;
}

function metadataOfRequest(): EventMetadata {
  const requestId = randomUUID();
  return { correlationId: requestId, causationId: requestId, actor: 'seed-admin' };
}

/**
 * Fills `store` with `total` events of the service's own kinds for as many instances as that
 * takes (about 330 events each), through the store's normal append path in small appends with
 * expected revisions, interleaving streams as concurrent use would.
 */
export async function seedLog(store: EventStore, total: number, onProgress?: (events: number) => void): Promise<SeedFigures> {
  const started = performance.now();
  const next = random(20_240_625);
  let events = 0;
  let appends = 0;
  let instances = 0;
  let streamCount = 0;
  while (events < total) {
    const group: StreamPlan[] = [];
    for (let i = 0; i < INSTANCES_PER_GROUP && events + group.reduce((n, s) => n + s.events.length, 0) < total; i += 1) {
      group.push(...instanceStreams(`seed-instance-${instances}`, instances, next));
      instances += 1;
    }
    // Cut the last group so the log holds exactly `total` events.
    let budget = total - events;
    const planned = group.filter((plan) => {
      if (budget <= 0) return false;
      plan.events = plan.events.slice(0, budget);
      budget -= plan.events.length;
      return true;
    });
    streamCount += planned.length;
    // Rounds: every stream appends its next chunk, in a shuffled order, until all are written.
    let pending = planned;
    while (pending.length > 0) {
      const order = pending.map((plan) => ({ plan, key: next() })).sort((a, b) => a.key - b.key).map(({ plan }) => plan);
      let cursor = 0;
      const worker = async (): Promise<void> => {
        while (cursor < order.length) {
          const plan = order[cursor++];
          const size = Math.min(MAX_EVENTS_PER_APPEND, plan.events.length - plan.next, 1 + Math.floor(next() * MAX_EVENTS_PER_APPEND));
          const metadata = metadataOfRequest();
          const chunk: EventToAppend[] = plan.events.slice(plan.next, plan.next + size).map((event) => ({ ...event, tenant: plan.tenant, metadata }));
          await store.append(plan.stream, chunk, { expectedRevision: plan.next === 0 ? 'no_stream' : plan.next - 1 });
          plan.next += size;
          events += size;
          appends += 1;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENT_APPENDS }, worker));
      pending = order.filter((plan) => plan.next < plan.events.length);
      onProgress?.(events);
    }
  }
  return { events, appends, instances, streams: streamCount, seconds: (performance.now() - started) / 1000 };
}
