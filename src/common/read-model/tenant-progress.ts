import type { StoredEvent } from '@app/event-store';
import { EntitySchema, type EntityManager } from 'typeorm';
import { BulkSql } from './bulk-sql';
import { bigintAsNumber, TIMESTAMP_COLUMN } from './column-transformers';

/**
 * How far a projection has reduced one instance's own events: what list answers report as
 * `processedSequence` / `timestamp`, so that what an instance sees moves with its own writes
 * only, never with another instance's.
 */
export interface TenantProgressRow {
  instance: string;
  /** Events of this instance the projection has reduced. */
  events: number;
  /** Creation time of the last of them. */
  lastEventAt: Date;
}

/** The progress table of one projection; list it in the projection's entities, so rebuilds replay it too. */
export function tenantProgressEntity(name: string, tableName: string): EntitySchema<TenantProgressRow> {
  return new EntitySchema<TenantProgressRow>({
    name,
    tableName,
    columns: {
      instance: { type: 'varchar', length: 200, primary: true },
      events: { type: 'bigint', transformer: bigintAsNumber },
      lastEventAt: { name: 'last_event_at', ...TIMESTAMP_COLUMN },
    },
  });
}

/** Counts a batch's events per instance, in the projection's transaction (one statement). */
export async function recordTenantProgress(manager: EntityManager, entity: EntitySchema<TenantProgressRow>, events: readonly StoredEvent[]): Promise<void> {
  const byInstance = new Map<string, { events: number; lastEventAt: Date }>();
  for (const event of events) {
    const progress = byInstance.get(event.tenant) ?? { events: 0, lastEventAt: event.createdAt };
    progress.events += 1;
    progress.lastEventAt = event.createdAt;
    byInstance.set(event.tenant, progress);
  }
  await new BulkSql(manager).insert(
    entity,
    ['instance', 'events', 'lastEventAt'],
    [...byInstance].map(([instance, progress]) => [instance, progress.events, progress.lastEventAt.toISOString()]),
    { keys: ['instance'], update: ['lastEventAt'], add: ['events'] },
  );
}

/** An instance's progress as list answers report it: nothing reduced yet is 0 and no time. */
export async function tenantProgress(manager: EntityManager, entity: EntitySchema<TenantProgressRow>, instance: string): Promise<{ processedSequence: number; timestamp?: Date }> {
  const row = await manager.findOne(entity, { where: { instance } });
  return row ? { processedSequence: row.events, timestamp: row.lastEventAt } : { processedSequence: 0 };
}
