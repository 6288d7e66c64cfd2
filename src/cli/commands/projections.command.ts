import type { Command } from 'commander';
import type { CliIo } from '../cli-io';
import type { RebuildCommandOptions } from './projections.actions';

/** `projections list|status` and `projections rebuild <name>`. */
export function registerProjectionsCommand(program: Command, io: CliIo): void {
  const group = program.command('projections').description('Read-model projections and subscribers: where they stand, and rebuilding them');
  for (const [name, description] of [
    ['status', 'Position, lag (in events), last reduced event and failures of each projection, and each subscriber with its failed events'],
    ['list', 'Same as status'],
  ] as const) {
    group
      .command(name)
      .description(description)
      .option('--json', 'print JSON instead of tables')
      .action(async (options: { json?: boolean }) => (await import('./projections.actions')).printStatus(io, options));
  }
  group
    .command('rebuild')
    .description('Replay the whole log into fresh tables beside the live ones, then switch over in one transaction (the service keeps serving); resumes an interrupted rebuild')
    .argument('<name>', 'projection to rebuild (see projections list)')
    .option('--fresh', 'throw away an interrupted rebuild and start from the beginning')
    .option('--batch-size <events>', 'events per replay transaction')
    .option('--progress-interval <ms>', 'least time between two progress reports (default 1000)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: RebuildCommandOptions) => (await import('./projections.actions')).rebuild(io, name, options));
}
