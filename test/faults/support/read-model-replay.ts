import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EventStore } from '@app/event-store';
import { ProjectionEngine, projectionEngineEntities } from '@app/eventsourcing';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { withPostgres, type ServiceStorage } from '../../../bench/support/storage';
import { ExecutionEntity, ExecutionTargetEntity } from '../../../src/executions/projection/execution.entities';
import { SERVICE_PROJECTIONS } from '../../../src/persistence/service-projections';
import { TargetEntity } from '../../../src/targets/projection/target.entity';

/** The rows of the service's read-model tables, in a stable order and comparable form. */
export interface ReadModelRows {
  executions: Record<string, unknown>[];
  executionTargets: Record<string, unknown>[];
  targets: Record<string, unknown>[];
}

const ENTITIES = projectionEngineEntities(SERVICE_PROJECTIONS);

function comparable(rows: object[]): Record<string, unknown>[] {
  return rows
    .map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value instanceof Date ? value.toISOString() : value])))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

async function rowsOf(dataSource: DataSource): Promise<ReadModelRows> {
  return {
    executions: comparable(await dataSource.getRepository(ExecutionEntity).find()),
    executionTargets: comparable(await dataSource.getRepository(ExecutionTargetEntity).find()),
    targets: comparable(await dataSource.getRepository(TargetEntity).find()),
  };
}

/** The live read model of the service on `storage`, read directly (the service may keep running). */
export async function liveReadModelRows(storage: ServiceStorage): Promise<ReadModelRows> {
  const options: DataSourceOptions =
    storage.kind === 'sqlite'
      ? { type: 'better-sqlite3', database: storage.readModelFile, entities: ENTITIES }
      : { type: 'postgres', url: storage.serverUrl, schema: storage.schema, entities: ENTITIES, poolSize: 2 };
  const dataSource = await new DataSource(options).initialize();
  try {
    return await rowsOf(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * Replays the whole log into fresh tables (a temp SQLite file, or a new PostgreSQL schema)
 * with the service's projections, and returns the rows: what the read model must hold.
 */
export async function replayedReadModelRows(store: EventStore, storage: ServiceStorage): Promise<ReadModelRows> {
  const directory = storage.kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'replay-')) : undefined;
  const schema = storage.kind === 'postgres' ? `replay_${randomBytes(6).toString('hex')}` : undefined;
  if (schema) await withPostgres(storage.serverUrl!, (client) => client.query(`CREATE SCHEMA ${client.escapeIdentifier(schema)}`));
  const options: DataSourceOptions = directory
    ? { type: 'better-sqlite3', database: join(directory, 'read-model.db'), entities: ENTITIES }
    : { type: 'postgres', url: storage.serverUrl, schema, entities: ENTITIES, poolSize: 2 };
  const dataSource = await new DataSource(options).initialize();
  try {
    const engine = new ProjectionEngine(store, dataSource, SERVICE_PROJECTIONS);
    await engine.catchUp();
    return await rowsOf(dataSource);
  } finally {
    await dataSource.destroy();
    if (directory) rmSync(directory, { recursive: true, force: true });
    if (schema) await withPostgres(storage.serverUrl!, (client) => client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`));
  }
}
