import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@app/event-store';
import { ProjectionEngine, projectionEngineEntities } from '@app/eventsourcing';
import { DataSource } from 'typeorm';
import { ExecutionEntity, ExecutionTargetEntity } from '../../../src/executions/projection/execution.entities';
import { SERVICE_PROJECTIONS } from '../../../src/persistence/service-projections';
import { TargetEntity } from '../../../src/targets/projection/target.entity';

/** Every row of the service's read-model tables, in a stable order. */
export interface ReadModelSnapshot {
  executions: unknown[];
  executionTargets: unknown[];
  targets: unknown[];
}

export async function snapshotOf(readModel: DataSource): Promise<ReadModelSnapshot> {
  return {
    executions: await readModel.getRepository(ExecutionEntity).find({ order: { instance: 'ASC', id: 'ASC' } }),
    executionTargets: await readModel.getRepository(ExecutionTargetEntity).find({ order: { instance: 'ASC', executionId: 'ASC', ordinal: 'ASC' } }),
    targets: await readModel.getRepository(TargetEntity).find({ order: { instance: 'ASC', id: 'ASC' } }),
  };
}

/** The read model a fresh replay of `store` produces (in a throw-away SQLite file). */
export async function replayedSnapshot(store: EventStore): Promise<ReadModelSnapshot> {
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  const readModel = new DataSource({ type: 'better-sqlite3', database: join(dir, 'read-model.db'), entities: projectionEngineEntities(SERVICE_PROJECTIONS) });
  try {
    const engine = new ProjectionEngine(store, readModel, SERVICE_PROJECTIONS);
    await engine.catchUp();
    return await snapshotOf(readModel);
  } finally {
    if (readModel.isInitialized) await readModel.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
