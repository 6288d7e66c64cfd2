import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { canImportEvents, type EventFilter, type EventStore, type ImportedEvent, type StoredEvent } from '@app/event-store';
import { CliError, type CliIo } from '../cli-io';
import { exportedEvent, parseExportedEvent, type ExportedEvent } from '../support/event-lines';
import { openConfiguredEventStore } from '../support/operations-context';
import { renderTable } from '../support/table';

export interface SelectionOptions {
  type?: string;
  tenant?: string;
}

export interface ListOptions extends SelectionOptions {
  stream?: string;
  from?: number;
  to?: number;
  limit: number;
  json?: boolean;
}

export interface TailOptions extends SelectionOptions {
  from?: number;
  count?: number;
  json?: boolean;
}

export interface ExportOptions extends SelectionOptions {
  out?: string;
}

export interface ImportOptions {
  in?: string;
  force?: boolean;
}

const PAGE = 500;

function filterOf(options: SelectionOptions): EventFilter {
  return { ...(options.type ? { typePrefixes: [options.type] } : {}), ...(options.tenant !== undefined ? { tenant: options.tenant } : {}) };
}

const matches = (event: StoredEvent, options: SelectionOptions): boolean =>
  (options.type === undefined || event.type.startsWith(options.type)) && (options.tenant === undefined || event.tenant === options.tenant);

async function withStore<T>(io: CliIo, work: (store: EventStore) => Promise<T>): Promise<T> {
  const { store } = await openConfiguredEventStore(io);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Events in log order from `from` (inclusive), page by page, until `to` (inclusive) or the end. */
async function* readLog(store: EventStore, options: SelectionOptions & { from?: number; to?: number }): AsyncGenerator<StoredEvent> {
  let fromPosition = options.from ?? 0;
  const filter = filterOf(options);
  for (;;) {
    const page = await store.readAll({ fromPosition, maxCount: PAGE, filter });
    for (const event of page.events) {
      if (options.to !== undefined && event.position > options.to) return;
      yield event;
    }
    if (page.isEnd) return;
    fromPosition = page.nextPosition;
  }
}

const eventLine = (event: StoredEvent): string => `${JSON.stringify(exportedEvent(event))}\n`;

function renderEvents(events: readonly StoredEvent[]): string {
  return renderTable(
    ['POSITION', 'CREATED AT', 'TYPE', 'STREAM', 'REV', 'TENANT'],
    events.map((event) => [event.position, exportedEvent(event).createdAt, event.type, event.stream, event.revision, event.tenant]),
  );
}

export async function list(io: CliIo, options: ListOptions): Promise<void> {
  const events = await withStore(io, async (store) => {
    const selected: StoredEvent[] = [];
    const source = options.stream !== undefined ? streamEvents(store, options.stream) : readLog(store, options);
    for await (const event of source) {
      if (options.from !== undefined && event.position < options.from) continue;
      if (options.to !== undefined && event.position > options.to) break;
      if (!matches(event, options)) continue;
      selected.push(event);
      if (selected.length >= options.limit) break;
    }
    return selected;
  });
  io.stdout(options.json ? events.map(eventLine).join('') : renderEvents(events));
}

async function* streamEvents(store: EventStore, stream: string): AsyncGenerator<StoredEvent> {
  yield* await store.readStream(stream);
}

/** Follows the log live until interrupted (Ctrl-C) or `--count` events were printed. */
export async function tail(io: CliIo, options: TailOptions): Promise<void> {
  await withStore(io, async (store) => {
    const fromPosition = options.from ?? (await store.headPosition()) + 1;
    let printed = 0;
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const subscription = store.subscribe({ fromPosition, filter: filterOf(options) }, (events) => {
      for (const event of events) {
        if (printed >= (options.count ?? Number.POSITIVE_INFINITY)) break;
        io.stdout(options.json ? eventLine(event) : `${event.position}  ${exportedEvent(event).createdAt}  ${event.type}  ${event.stream}  ${event.tenant}\n`);
        printed += 1;
      }
      if (printed >= (options.count ?? Number.POSITIVE_INFINITY)) stop();
    });
    const onInterrupt = (): void => stop();
    if (io.interrupt?.aborted) stop();
    io.interrupt?.addEventListener('abort', onInterrupt, { once: true });
    try {
      await Promise.race([stopped, subscription.done]);
    } finally {
      io.interrupt?.removeEventListener('abort', onInterrupt);
      await subscription.close();
    }
  });
}

/** Writes to a stream, waiting when it asks to (a slow pipe must not make the export buffer the log). */
async function writeAll(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

export async function exportEvents(io: CliIo, options: ExportOptions): Promise<void> {
  const file = options.out !== undefined ? createWriteStream(options.out, { flags: 'wx' }) : undefined;
  if (file) await once(file, 'open').catch((error: unknown) => Promise.reject(new CliError(`cannot create ${options.out}: ${error instanceof Error ? error.message : String(error)}`)));
  const target = file ?? io.stdoutStream;
  let count = 0;
  try {
    await withStore(io, async (store) => {
      for await (const event of readLog(store, options)) {
        if (target) await writeAll(target, eventLine(event));
        else io.stdout(eventLine(event));
        count += 1;
      }
    });
  } finally {
    if (file) {
      file.end();
      await once(file, 'close');
    }
  }
  io.stderr(`exported ${count} event(s)${options.out !== undefined ? ` to ${options.out}` : ''}\n`);
}

/**
 * Events per importEvents call. Large batches matter: a SQLite commit writes every index page
 * the batch touched, so with random ids 2,000-event batches import at half the speed of
 * 10,000-event ones. Two batches are in memory at a time (one importing, one being read).
 */
const IMPORT_BATCH = 10_000;

function toImportedEvent(event: ExportedEvent): ImportedEvent {
  return {
    id: event.id,
    stream: event.stream,
    revision: event.revision,
    type: event.type,
    tenant: event.tenant,
    data: event.data,
    metadata: event.metadata,
    createdAt: new Date(event.createdAt),
  };
}

/**
 * Imports exported events in file order through the store's import path: ids, streams,
 * revisions, order and creation times are kept (each event must continue its stream, so a file
 * that does not continue the target's streams is refused). Events already stored as given are
 * skipped, so an interrupted import is resumed by running it again with --force.
 */
export async function importEvents(io: CliIo, options: ImportOptions): Promise<void> {
  const input = options.in !== undefined ? createReadStream(options.in) : io.stdin;
  if (!input) throw new CliError('give --in <file> or pipe the events to stdin');
  if (options.in !== undefined) await once(input as NodeJS.EventEmitter, 'open').catch(() => Promise.reject(new CliError(`cannot read ${options.in}`)));
  let imported = 0;
  let alreadyStored = 0;
  await withStore(io, async (store) => {
    if (!canImportEvents(store)) throw new CliError(`the ${store.kind} event store cannot import events`);
    if (!options.force && (await store.headPosition()) > 0) {
      throw new CliError('the target event store is not empty; import into an empty store, or add --force to append to it');
    }
    let batch: ImportedEvent[] = [];
    let batchLines = { first: 0, last: 0 };
    const importBatch = async (events: ImportedEvent[], lines: { first: number; last: number }): Promise<void> => {
      try {
        const result = await store.importEvents(events);
        imported += result.imported;
        alreadyStored += result.alreadyStored;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new CliError(`the events of lines ${lines.first}-${lines.last} were not imported: ${message} (${imported} event(s) imported before them)`);
      }
    };
    // The next batch is read while the store imports the previous one (batches stay in order).
    let importing: Promise<void> = Promise.resolve();
    /** Waits for the batch being imported (throwing its failure), then starts importing the events read since. */
    const flush = async (): Promise<void> => {
      await importing;
      if (batch.length === 0) return;
      importing = importBatch(batch, batchLines);
      // Observed by the next flush; until then a failure must not count as unhandled.
      importing.catch(() => undefined);
      batch = [];
    };
    /** Imports everything read so far and waits until it is stored. */
    const drain = async (): Promise<void> => {
      await flush();
      await importing;
    };
    let lineNumber = 0;
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      let event: ExportedEvent;
      try {
        event = parseExportedEvent(line);
      } catch (error) {
        // Everything before the bad line is stored, so a corrected file can be imported again with --force.
        await drain();
        throw new CliError(`line ${lineNumber}: ${error instanceof Error ? error.message : String(error)} (${imported} event(s) imported before it)`);
      }
      if (batch.length === 0) batchLines = { first: lineNumber, last: lineNumber };
      batch.push(toImportedEvent(event));
      batchLines.last = lineNumber;
      if (batch.length >= IMPORT_BATCH) await flush();
    }
    await drain();
  });
  io.stderr(`imported ${imported} event(s)${alreadyStored > 0 ? ` (${alreadyStored} already stored, left as they were)` : ''}\n`);
}
