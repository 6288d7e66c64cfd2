import { deliveryView } from '../../runtime/deliveries/delivery-view';
import { DeliveryStore } from '../../runtime/deliveries/delivery-store';
import { CliError, type CliIo } from '../cli-io';
import { openOperationsContext } from '../support/operations-context';
import { firstLine, renderTable } from '../support/table';

export interface ListOptions {
  state: 'parked' | 'pending';
  instance?: string;
  limit: number;
  json?: boolean;
}

export interface RetryOptions {
  all?: boolean;
  instance?: string;
  json?: boolean;
}

/** Works on the deliveries table beside a running service, whose workers send what is made pending. */
async function withDeliveries<T>(io: CliIo, job: (store: DeliveryStore) => Promise<T>): Promise<T> {
  const context = await openOperationsContext(io);
  try {
    const store = new DeliveryStore(context.readModel);
    await store.ensureTables();
    return await job(store);
  } finally {
    await context.close();
  }
}

export async function list(io: CliIo, options: ListOptions): Promise<void> {
  const rows = await withDeliveries(io, (store) => store.list(options.state, { ...(options.instance !== undefined && { instanceId: options.instance }), limit: options.limit }));
  if (options.json) {
    io.stdout(`${JSON.stringify(rows.map((row) => ({ instanceId: row.instanceId, ...deliveryView(row) })), null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    io.stdout(`no ${options.state} deliveries\n`);
    return;
  }
  io.stdout(
    renderTable(
      ['ID', 'INSTANCE', 'EVENT', 'TYPE', 'TARGET', 'ATTEMPTS', 'CREATED AT', 'ERROR'],
      rows.map((row) => [row.id, row.instanceId, row.eventId, row.eventType, row.targetId, row.attempts, new Date(row.createdAt).toISOString(), firstLine(row.lastError, 60)]),
    ),
  );
}

export async function retry(io: CliIo, ids: readonly string[], options: RetryOptions): Promise<void> {
  if ((ids.length > 0) === Boolean(options.all)) throw new CliError('give the ids of parked deliveries (see deliveries list) or --all');
  const numbers = ids.map((id) => {
    const value = /^\d+$/.test(id) ? Number(id) : NaN;
    if (!Number.isSafeInteger(value) || value < 1) throw new CliError(`"${id}" is not a delivery id (see deliveries list)`);
    return value;
  });
  const retried = await withDeliveries(io, (store) => store.retryParked(options.all ? { all: true } : { ids: numbers }, options.instance));
  const missing = numbers.filter((id) => !retried.includes(id));
  if (options.json) io.stdout(`${JSON.stringify({ retried: retried.map(String), notParked: missing.map(String) }, null, 2)}\n`);
  else io.stdout(`${retried.length} parked deliveries will be sent again by the service\n`);
  if (missing.length > 0) throw new CliError(`not parked (or not found): ${missing.join(', ')}`);
}
