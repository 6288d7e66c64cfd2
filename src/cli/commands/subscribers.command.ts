import { InvalidArgumentError, type Command } from 'commander';
import type { CliIo } from '../cli-io';
import type { FailedOptions, RetryOptions } from './subscribers.actions';

function collectIds(value: string, previous: number[] | undefined): number[] {
  const id = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw new InvalidArgumentError('must be the id of a failed event (see subscribers failed)');
  return [...(previous ?? []), id];
}

/** `subscribers failed` and `subscribers retry`. */
export function registerSubscribersCommand(program: Command, io: CliIo): void {
  const group = program.command('subscribers').description('Durable event subscribers: events they gave up on, and delivering those again');
  group
    .command('failed')
    .description('List events a subscriber parked after its retries (oldest first)')
    .option('--subscriber <name>', 'only this subscriber')
    .option('--all', 'include events already resolved by a retry')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: FailedOptions) => (await import('./subscribers.actions')).listFailed(io, options));
  group
    .command('retry')
    .description('Deliver failed events once more with the service\'s handlers: those with the given ids, or every failed event of a subscriber (default: of all)')
    .option('--subscriber <name>', 'every failed event of this subscriber')
    .option('--id <id>', 'a failed event id from subscribers failed (repeatable)', collectIds)
    .option('--json', 'print JSON')
    .action(async (options: RetryOptions) => (await import('./subscribers.actions')).retry(io, options));
}
