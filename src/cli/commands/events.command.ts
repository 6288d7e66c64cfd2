import { InvalidArgumentError, type Command } from 'commander';
import type { CliIo } from '../cli-io';
import type { ExportOptions, ImportOptions, ListOptions, TailOptions } from './events.actions';

function position(value: string): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed)) throw new InvalidArgumentError('must be a non-negative integer position');
  return parsed;
}

function positiveCount(value: string): number {
  const parsed = position(value);
  if (parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** `events list|tail|export|import`: the log itself, on whichever store the environment names. */
export function registerEventsCommand(program: Command, io: CliIo): void {
  const group = program.command('events').description('The event log: list, follow, export and import events');
  group
    .command('list')
    .description('List events in log order')
    .option('--stream <stream>', 'only this stream (e.g. target:<instance>:<id>)')
    .option('--type <prefix>', 'only types starting with this (e.g. target. or execution.removed)')
    .option('--tenant <instance>', 'only this instance')
    .option('--from <position>', 'first position (inclusive)', position)
    .option('--to <position>', 'last position (inclusive)', position)
    .option('--limit <count>', 'at most this many events', positiveCount, 100)
    .option('--json', 'print JSON lines (the export format) instead of a table')
    .action(async (options: ListOptions) => (await import('./events.actions')).list(io, options));
  group
    .command('tail')
    .description('Print events as they are appended, until Ctrl-C')
    .option('--type <prefix>', 'only types starting with this')
    .option('--tenant <instance>', 'only this instance')
    .option('--from <position>', 'start at this position instead of the current end', position)
    .option('--count <count>', 'exit after this many events', positiveCount)
    .option('--json', 'print JSON lines')
    .action(async (options: TailOptions) => (await import('./events.actions')).tail(io, options));
  group
    .command('export')
    .description('Write the log as JSON lines (ids, streams, revisions, order, timestamps, data, metadata, tenant)')
    .option('--out <file>', 'write to this new file instead of stdout')
    .option('--type <prefix>', 'only types starting with this')
    .option('--tenant <instance>', 'only this instance')
    .action(async (options: ExportOptions) => (await import('./events.actions')).exportEvents(io, options));
  group
    .command('import')
    .description('Import an export into this environment\'s event store, keeping ids, streams, revisions, order and creation times')
    .option('--in <file>', 'read this file instead of stdin')
    .option('--force', 'append even though the store already holds events')
    .action(async (options: ImportOptions) => (await import('./events.actions')).importEvents(io, options));
}
