import type { StoredEvent } from '@app/event-store';
import type { Projection } from '@app/eventsourcing';
import type { EntityManager } from 'typeorm';
import { streamParts } from '../../common/domain/stream-name';
import { EXECUTION_SET, executionEventTypes, toExecutionEvent } from '../domain/execution-events';
import { ExecutionEntity, ExecutionTargetEntity } from './execution.entities';

async function reduce(event: StoredEvent, manager: EntityManager): Promise<void> {
  const [instance, id] = streamParts('execution', event.stream) ?? [];
  const domainEvent = toExecutionEvent(event.type, event.data);
  if (instance === undefined || id === undefined || !domainEvent) return;
  const key = { instance, id };
  await manager.delete(ExecutionTargetEntity, { instance, executionId: id });
  if (domainEvent.type !== EXECUTION_SET) {
    await manager.delete(ExecutionEntity, key);
    return;
  }
  const existing = await manager.findOneBy(ExecutionEntity, key);
  await manager.save(ExecutionEntity, {
    ...key,
    creationDate: existing?.creationDate ?? event.createdAt,
    changeDate: event.createdAt,
    sequence: event.revision + 1,
  });
  const rows = domainEvent.data.targets.map((ref, ordinal) => ({ instance, executionId: id, ordinal, type: ref.type, target: ref.target }));
  if (rows.length > 0) await manager.insert(ExecutionTargetEntity, rows);
}

/** Executions with their ordered targets, one row per (instance, execution id). */
export const executionsProjection: Projection = {
  name: 'executions',
  eventTypes: executionEventTypes,
  entities: [ExecutionEntity, ExecutionTargetEntity],
  async apply(events, manager) {
    for (const event of events) await reduce(event, manager);
  },
};
