import type { EventStore } from '@app/event-store';
import { ProjectionEngine, SubscriptionManager, type ProjectionLogger } from '@app/eventsourcing';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config';
import { loadConfig } from '../../config/load-config';
import { openEventStore } from '../../persistence/event-store';
import { readModelEntities } from '../../persistence/read-model-entities';
import { openReadModel } from '../../persistence/read-model';
import { SERVICE_PROJECTIONS } from '../../persistence/service-projections';
import { BUILT_IN_SUBSCRIBERS } from '../../subscribers/built-in-subscribers';
import type { CliIo } from '../cli-io';

/** The stores as the service opens them (same environment), for commands that read or repair them. */
export interface OperationsContext {
  config: AppConfig;
  store: EventStore;
  readModel: DataSource;
  engine: ProjectionEngine;
  /** For status and failed events only: delivering needs the service's handlers (see `subscribers retry`). */
  subscribers: SubscriptionManager;
  close(): Promise<void>;
}

/** Warnings and errors of the libraries on stderr; their progress chatter stays out of the output. */
export function stderrLogger(io: CliIo): ProjectionLogger {
  const write = (level: string, message: string, fields?: Record<string, unknown>): void =>
    io.stderr(`${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  return { info: () => undefined, warn: (message, fields) => write('warning', message, fields), error: (message, fields) => write('error', message, fields) };
}

/** Opens only the event store (the `events` commands need nothing else). */
export async function openConfiguredEventStore(io: CliIo): Promise<{ config: AppConfig; store: EventStore }> {
  const config = loadConfig(io.env);
  return { config, store: await openEventStore(config) };
}

export async function openOperationsContext(io: CliIo): Promise<OperationsContext> {
  const { config, store } = await openConfiguredEventStore(io);
  let readModel: DataSource;
  try {
    readModel = await openReadModel(config, readModelEntities(SERVICE_PROJECTIONS));
  } catch (error) {
    await store.close();
    throw error;
  }
  const logger = stderrLogger(io);
  const engine = new ProjectionEngine(store, readModel, SERVICE_PROJECTIONS, { logger });
  const descriptors = BUILT_IN_SUBSCRIBERS.map((descriptor) => ({
    ...descriptor,
    handle: () => Promise.reject(new Error(`Subscriber "${descriptor.name}" is only delivered to by the service`)),
  }));
  const subscribers = new SubscriptionManager(store, readModel, descriptors, { logger });
  return {
    config,
    store,
    readModel,
    engine,
    subscribers,
    async close() {
      await Promise.allSettled([readModel.destroy(), store.close()]);
    },
  };
}
