import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { commandOutcome } from './command-outcome';
import { ServiceMetrics } from './service-metrics';

type Execute = CommandBus['execute'];

/**
 * Counts and times every command sent through the CommandBus (HTTP, RPC and subscribers alike)
 * by wrapping the bus's `execute`: the bus offers no interception point of its own, and the
 * handlers stay free of metrics code. Every module importing CqrsModule gets a bus instance of
 * its own, so all of them are wrapped.
 */
@Injectable()
export class CommandMetrics implements OnModuleInit {
  private readonly wrapped = new WeakSet<CommandBus>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly metrics: ServiceMetrics,
  ) {}

  onModuleInit(): void {
    for (const { instance } of this.discovery.getProviders()) {
      if (instance instanceof CommandBus && !this.wrapped.has(instance)) this.wrap(instance);
    }
  }

  private wrap(bus: CommandBus): void {
    this.wrapped.add(bus);
    const execute: Execute = bus.execute.bind(bus);
    const { metrics } = this;
    const measured = async (...args: Parameters<Execute>): Promise<unknown> => {
      const command = commandName(args[0]);
      const started = performance.now();
      const record = (outcome: string): void => {
        metrics.commands.inc({ command, outcome });
        metrics.commandDuration.observe({ command, outcome }, (performance.now() - started) / 1000);
      };
      try {
        const result: unknown = await execute(...args);
        record(commandOutcome());
        return result;
      } catch (error) {
        record(commandOutcome(error));
        throw error;
      }
    };
    bus.execute = measured as Execute;
  }
}

function commandName(command: unknown): string {
  const name = (command as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'unknown';
}
