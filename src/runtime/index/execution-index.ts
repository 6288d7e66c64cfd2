import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { StoredEvent, Subscription } from '@app/event-store';
import type { EncryptedSecret } from '../../common/crypto/encrypted-secret';
import { SECRET_BOX, type SecretBox } from '../../common/crypto/secret-box';
import { streamParts } from '../../common/domain/stream-name';
import { unavailable } from '../../common/errors/api-error';
import { EXECUTION_SET, toExecutionEvent, type ExecutionTargetRef } from '../../executions/domain/execution-events';
import type { AppendTrackingEventStore } from '../../persistence/append-tracking-event-store';
import { EVENT_STORE } from '../../persistence/persistence.tokens';
import { TargetSigningKeys } from '../../targets/commands/target-signing-keys';
import { TARGET_ADDED, TARGET_CHANGED, toTargetEvent, type TargetFields } from '../../targets/domain/target-events';
import type { ResolvedTarget } from '../calls/resolved-target';
import { resolveTargetIds, type RunSubject } from '../domain/resolution';

interface IndexedTarget {
  fields: TargetFields;
  signingKey?: EncryptedSecret;
}

/** One instance's executions and targets, as the log says now. */
class InstanceConfig {
  readonly targets = new Map<string, IndexedTarget>();
  readonly executions = new Map<string, readonly ExecutionTargetRef[]>();
}

/** How long a run waits for the index to reach a write before answering unavailable. */
const CATCH_UP_LIMIT_MS = 10_000;
const POLL_MS = 2;

/**
 * Every instance's executions and targets in memory, kept current by a subscription to the
 * log (target.* and execution.* events), so resolving a run costs no database round trip.
 * It starts on first use, reads the whole history once, then follows live appends. A run
 * waits until the index has passed this process's newest append, so a change made here is
 * visible to the next run, like the read APIs (changes made through another replica arrive
 * with that replica's notification, usually within milliseconds).
 */
@Injectable()
export class ExecutionIndex implements OnApplicationShutdown {
  private readonly logger = new Logger(ExecutionIndex.name);
  private readonly instances = new Map<string, InstanceConfig>();
  private readonly openedKeys = new WeakMap<EncryptedSecret, string>();
  private subscription: Subscription | undefined;
  private started: Promise<number> | undefined;
  private stopped = false;
  private resubscribeTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: AppendTrackingEventStore,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    private readonly signingKeys: TargetSigningKeys,
  ) {}

  /** The targets to call for `subject` in `instanceId`, in order, each with its key in clear. */
  async resolve(instanceId: string, subject: RunSubject): Promise<ResolvedTarget[]> {
    await this.catchUp();
    const config = this.instances.get(instanceId);
    if (config === undefined) return [];
    const ids = resolveTargetIds(subject, (id) => config.executions.get(id));
    const resolved: ResolvedTarget[] = [];
    for (const id of ids) {
      // A removed target leaves its executions shortly after (the cleanup subscriber): skip it meanwhile.
      const target = config.targets.get(id);
      if (target === undefined) continue;
      const { targetType, endpoint, timeout, interruptOnError } = target.fields;
      resolved.push({ id, targetType, endpoint, timeout, interruptOnError, signingKey: await this.keyOf(instanceId, id, target) });
    }
    return resolved;
  }

  /**
   * The chain of an event execution as the log stood at least at `position` (the event's own
   * position): each target's id and interruptOnError, in order, keys left sealed.
   */
  async eventChain(instanceId: string, eventType: string, position: number): Promise<Array<{ id: string; interruptOnError: boolean }>> {
    await this.reach(position);
    const config = this.instances.get(instanceId);
    if (config === undefined) return [];
    return resolveTargetIds({ kind: 'event', eventType }, (id) => config.executions.get(id)).flatMap((id) => {
      const target = config.targets.get(id);
      return target === undefined ? [] : [{ id, interruptOnError: target.fields.interruptOnError }];
    });
  }

  /**
   * A target with its key in clear, undefined once it is removed: as the index stands once it
   * has applied the log up to `position` (the event a delivery carries) and as far as the log
   * went when the index started (after a start every target would otherwise look removed).
   * Not {@link catchUp}: waiting for this process's latest append would hold every delivery
   * back behind the index's next read while events are being published.
   */
  async target(instanceId: string, targetId: string, position: number): Promise<ResolvedTarget | undefined> {
    const head = await (this.started ??= this.start());
    await this.reach(Math.max(head, position));
    const target = this.instances.get(instanceId)?.targets.get(targetId);
    if (target === undefined) return undefined;
    const { targetType, endpoint, timeout, interruptOnError } = target.fields;
    return { id: targetId, targetType, endpoint, timeout, interruptOnError, signingKey: await this.keyOf(instanceId, targetId, target) };
  }

  /** Waits until the index has applied the log up to `position`. */
  private async reach(position: number): Promise<void> {
    await (this.started ??= this.start());
    const deadline = Date.now() + CATCH_UP_LIMIT_MS;
    while (!this.reached(position)) {
      if (Date.now() > deadline) throw unavailable('RUNTIME-9c2kq7xv4m', 'The execution index is behind the event log; try again');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Waits until the index shows every append this process made (and, on first use, the whole log). */
  async catchUp(): Promise<void> {
    const head = await (this.started ??= this.start());
    const wanted = Math.max(head, this.store.lastAppendPosition);
    if (this.reached(wanted)) return;
    const deadline = Date.now() + CATCH_UP_LIMIT_MS;
    while (!this.reached(wanted)) {
      if (Date.now() > deadline) throw unavailable('RUNTIME-9c2kq7xv4m', 'The execution index is behind the event log; try again');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resubscribeTimer);
    await this.subscription?.close();
  }

  private reached(position: number): boolean {
    return position === 0 || (this.subscription !== undefined && this.subscription.position > position);
  }

  private async start(): Promise<number> {
    const head = await this.store.headPosition();
    this.subscribe(0);
    return head;
  }

  private subscribe(fromPosition: number): void {
    if (this.stopped) return;
    const subscription = this.store.subscribe({ fromPosition, filter: { typePrefixes: ['target.', 'execution.'] } }, (events) => this.apply(events));
    this.subscription = subscription;
    subscription.done.then(
      () => undefined,
      (error: unknown) => {
        if (this.stopped) return;
        this.logger.warn(`The execution index lost its subscription; resubscribing: ${error instanceof Error ? error.message : String(error)}`);
        this.resubscribeTimer = setTimeout(() => this.subscribe(subscription.position), 500);
      },
    );
  }

  private apply(events: readonly StoredEvent[]): void {
    for (const event of events) {
      const [targetInstance, targetId] = streamParts('target', event.stream) ?? [];
      if (targetInstance !== undefined && targetId !== undefined) {
        this.applyTarget(this.configOf(targetInstance), targetId, event);
        continue;
      }
      const [executionInstance, executionId] = streamParts('execution', event.stream) ?? [];
      if (executionInstance === undefined || executionId === undefined) continue;
      const change = toExecutionEvent(event.type, event.data);
      if (change === undefined) continue;
      const config = this.configOf(executionInstance);
      if (change.type === EXECUTION_SET) config.executions.set(executionId, change.data.targets);
      else config.executions.delete(executionId);
    }
  }

  private applyTarget(config: InstanceConfig, id: string, event: StoredEvent): void {
    const change = toTargetEvent(event.type, event.data);
    if (change === undefined) return;
    if (change.type === TARGET_ADDED) {
      const { signingKey, ...fields } = change.data;
      config.targets.set(id, { fields, ...(signingKey !== undefined && { signingKey }) });
    } else if (change.type === TARGET_CHANGED) {
      const current = config.targets.get(id);
      if (current === undefined) return;
      const { signingKey, ...fields } = change.data;
      config.targets.set(id, { fields: { ...current.fields, ...fields }, ...((signingKey ?? current.signingKey) !== undefined && { signingKey: signingKey ?? current.signingKey }) });
    } else {
      config.targets.delete(id);
    }
  }

  private configOf(instanceId: string): InstanceConfig {
    let config = this.instances.get(instanceId);
    if (config === undefined) this.instances.set(instanceId, (config = new InstanceConfig()));
    return config;
  }

  private async keyOf(instanceId: string, targetId: string, target: IndexedTarget): Promise<string> {
    const sealed = target.signingKey;
    if (sealed === undefined) return this.signingKeys.reveal(instanceId, targetId, undefined);
    let key = this.openedKeys.get(sealed);
    if (key === undefined) this.openedKeys.set(sealed, (key = this.secrets.open(sealed)));
    return key;
  }
}
