import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error';
import { CliError, type CliIo } from './cli-io';
import { registerDeliveriesCommand } from './commands/deliveries.command';
import { registerEventsCommand } from './commands/events.command';
import { registerProjectionsCommand } from './commands/projections.command';
import { registerSubscribersCommand } from './commands/subscribers.command';
import { registerTokenCommand } from './commands/token.command';

/** Each command group registers itself here; add new groups (projections, events) in their own files. */
const commandGroups: ReadonlyArray<(program: Command, io: CliIo) => void> = [
  registerTokenCommand,
  registerProjectionsCommand,
  registerSubscribersCommand,
  registerEventsCommand,
  registerDeliveriesCommand,
];

export function buildProgram(io: CliIo): Command {
  const program = new Command('actions-cli')
    .description('Operate the Actions execution service (reads the same environment variables as the service)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showHelpAfterError('(add --help for usage)');
  for (const register of commandGroups) register(program, io);
  return program;
}

/** Runs one command line (without the node and script arguments) and returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has already printed usage errors and help.
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ConfigError || error instanceof CliError) {
      io.stderr(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
