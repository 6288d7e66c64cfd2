import { InvalidArgumentError, type Command } from 'commander';
import type { CliIo } from '../cli-io';
import type { ListOptions, RetryOptions } from './deliveries.actions';

function parseState(value: string): 'parked' | 'pending' {
  if (value !== 'parked' && value !== 'pending') throw new InvalidArgumentError('must be parked or pending');
  return value;
}

/** `deliveries list` and `deliveries retry`. */
export function registerDeliveriesCommand(program: Command, io: CliIo): void {
  const group = program.command('deliveries').description('Event executions: deliveries waiting or parked after their last attempt, and sending parked ones again');
  group
    .command('list')
    .description('List deliveries that are parked (default) or pending, oldest first')
    .option('--state <state>', 'parked or pending', parseState, 'parked')
    .option('--instance <id>', 'only this instance\'s deliveries')
    .option('--limit <n>', 'at most this many', (value) => {
      if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a positive whole number');
      return Number(value);
    }, 1000)
    .option('--json', 'print JSON instead of a table')
    .action(async (options: ListOptions) => (await import('./deliveries.actions')).list(io, options));
  group
    .command('retry')
    .description('Send parked deliveries again from their first attempt (the running service sends them): those with the given ids, or --all')
    .argument('[ids...]', 'delivery ids from deliveries list')
    .option('--all', 'every parked delivery')
    .option('--instance <id>', 'only this instance\'s deliveries')
    .option('--json', 'print JSON')
    .action(async (ids: string[], options: RetryOptions) => (await import('./deliveries.actions')).retry(io, ids, options));
}
