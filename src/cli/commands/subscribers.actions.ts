import { UnknownSubscriberError, type FailedEvent, type RetryFailedResult } from '@app/eventsourcing';
import { BUILT_IN_SUBSCRIBERS } from '../../subscribers/built-in-subscribers';
import { ServiceSubscribers } from '../../subscribers/service-subscribers';
import { CliError, type CliIo } from '../cli-io';
import { openOperationsContext } from '../support/operations-context';
import { withServiceContext } from '../support/service-context';
import { firstLine, renderTable } from '../support/table';

export interface FailedOptions {
  subscriber?: string;
  all?: boolean;
  json?: boolean;
}

export interface RetryOptions {
  subscriber?: string;
  id?: number[];
  json?: boolean;
}

const failedJson = (event: FailedEvent) => ({
  ...event,
  firstFailedAt: event.firstFailedAt.toISOString(),
  lastFailedAt: event.lastFailedAt.toISOString(),
  resolvedAt: event.resolvedAt?.toISOString() ?? null,
});

function renderFailed(events: readonly FailedEvent[]): string {
  if (events.length === 0) return 'no failed events\n';
  return renderTable(
    ['ID', 'SUBSCRIBER', 'POSITION', 'TYPE', 'STREAM', 'ATTEMPTS', 'LAST FAILED AT', 'STATUS', 'ERROR'],
    events.map((event) => [event.id, event.subscriber, event.position, event.type, event.stream, event.attempts, event.lastFailedAt.toISOString(), event.status, firstLine(event.error, 60)]),
  );
}

function checkSubscriber(name: string | undefined): void {
  if (name !== undefined && !BUILT_IN_SUBSCRIBERS.some((subscriber) => subscriber.name === name)) {
    throw new CliError(`unknown subscriber "${name}" (subscribers: ${BUILT_IN_SUBSCRIBERS.map((subscriber) => subscriber.name).join(', ')})`);
  }
}

export async function listFailed(io: CliIo, options: FailedOptions): Promise<void> {
  checkSubscriber(options.subscriber);
  const context = await openOperationsContext(io);
  try {
    const events = await context.subscribers.listFailed({ subscriber: options.subscriber, status: options.all ? 'all' : 'failed' });
    io.stdout(options.json ? `${JSON.stringify(events.map(failedJson), null, 2)}\n` : renderFailed(events));
  } finally {
    await context.close();
  }
}

export async function retry(io: CliIo, options: RetryOptions): Promise<void> {
  if (options.subscriber !== undefined && options.id !== undefined) throw new CliError('give either --subscriber or --id, not both');
  checkSubscriber(options.subscriber);
  const outcome = await withServiceContext(io, async (app) => {
    const manager = await app.get(ServiceSubscribers).get();
    if (options.id !== undefined) return manager.retryFailed(options.id);
    const names = options.subscriber !== undefined ? [options.subscriber] : BUILT_IN_SUBSCRIBERS.map((subscriber) => subscriber.name);
    const total: RetryFailedResult = { resolved: [], failed: [] };
    for (const name of names) {
      const result = await manager.retryFailed(name).catch((error: unknown) => {
        if (error instanceof UnknownSubscriberError) throw new CliError(error.message);
        throw error;
      });
      total.resolved.push(...result.resolved);
      total.failed.push(...result.failed);
    }
    return total;
  });
  if (options.json) io.stdout(`${JSON.stringify({ resolved: outcome.resolved.map(failedJson), failed: outcome.failed.map(failedJson) }, null, 2)}\n`);
  else {
    io.stdout(`resolved ${outcome.resolved.length}, failed again ${outcome.failed.length}\n`);
    if (outcome.failed.length > 0) io.stdout(renderFailed(outcome.failed));
  }
  if (outcome.failed.length > 0) throw new CliError(`${outcome.failed.length} event(s) failed again; see the table above or subscribers failed`);
}
