import type { StoredEvent } from '@app/event-store';
import type { Projection } from '@app/eventsourcing';
import type { EntityManager } from 'typeorm';
import { BulkSql } from '../../common/read-model/bulk-sql';
import { streamParts } from '../../common/domain/stream-name';
import { EXECUTION_SET, executionEventTypes, toExecutionEvent, type ExecutionTargetRef } from '../domain/execution-events';
import { recordTenantProgress } from '../../common/read-model/tenant-progress';
import { ExecutionEntity, ExecutionProgressEntity, ExecutionTargetEntity } from './execution.entities';

/** Where one execution stands after the events of a batch, reduced in memory. */
interface ExecutionOutcome {
  instance: string;
  id: string;
  /** A removal occurred in the batch: the stored row (if any) no longer counts. */
  removedInBatch: boolean;
  /** The last event: set with these targets, or undefined after a removal. */
  set?: { targets: ExecutionTargetRef[]; creationDate: Date; changeDate: Date; sequence: number };
}

/**
 * Folds a batch into the final state of each execution it touches, in log order. An
 * execution's creation date is that of the set that created it: the stored row's, unless the
 * batch removed it first (or it has none), then the first set after that.
 */
function outcomesOf(events: readonly StoredEvent[]): Map<string, ExecutionOutcome> {
  const outcomes = new Map<string, ExecutionOutcome>();
  for (const event of events) {
    const [instance, id] = streamParts('execution', event.stream) ?? [];
    const domainEvent = toExecutionEvent(event.type, event.data);
    if (instance === undefined || id === undefined || !domainEvent) continue;
    const key = JSON.stringify([instance, id]);
    const outcome = outcomes.get(key) ?? { instance, id, removedInBatch: false };
    if (domainEvent.type === EXECUTION_SET) {
      outcome.set = {
        targets: domainEvent.data.targets,
        creationDate: outcome.set?.creationDate ?? event.createdAt,
        changeDate: event.createdAt,
        sequence: event.revision + 1,
      };
    } else {
      outcome.removedInBatch = true;
      outcome.set = undefined;
    }
    outcomes.set(key, outcome);
  }
  return outcomes;
}

/**
 * Reduces a batch in four statements whatever its size: the touched executions lose their
 * target lists; those removed in the batch lose their rows; the others are upserted (a stored
 * row keeps its creation date) and get their final target lists.
 */
async function applyBatch(events: readonly StoredEvent[], manager: EntityManager): Promise<void> {
  await recordTenantProgress(manager, ExecutionProgressEntity, events);
  const outcomes = [...outcomesOf(events).values()];
  if (outcomes.length === 0) return;
  const sql = new BulkSql(manager);
  await sql.deleteByKeys(
    ExecutionTargetEntity,
    ['instance', 'executionId'],
    outcomes.map(({ instance, id }) => [instance, id]),
  );
  await sql.deleteByKeys(
    ExecutionEntity,
    ['instance', 'id'],
    outcomes.filter((outcome) => outcome.removedInBatch).map(({ instance, id }) => [instance, id]),
  );
  const set = outcomes.filter((outcome): outcome is ExecutionOutcome & Required<Pick<ExecutionOutcome, 'set'>> => outcome.set !== undefined);
  await sql.insert(
    ExecutionEntity,
    ['instance', 'id', 'creationDate', 'changeDate', 'sequence'],
    set.map(({ instance, id, set: { creationDate, changeDate, sequence } }) => [instance, id, creationDate.toISOString(), changeDate.toISOString(), sequence]),
    { keys: ['instance', 'id'], update: ['changeDate', 'sequence'] },
  );
  await sql.insert(
    ExecutionTargetEntity,
    ['instance', 'executionId', 'ordinal', 'type', 'target'],
    set.flatMap(({ instance, id, set: { targets } }) => targets.map((ref, ordinal) => [instance, id, ordinal, ref.type, ref.target])),
  );
}

/** Executions with their ordered targets, one row per (instance, execution id). */
export const executionsProjection: Projection = {
  name: 'executions',
  eventTypes: executionEventTypes,
  entities: [ExecutionEntity, ExecutionTargetEntity, ExecutionProgressEntity],
  apply: applyBatch,
};
