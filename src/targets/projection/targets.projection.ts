import type { StoredEvent } from '@app/event-store';
import type { Projection } from '@app/eventsourcing';
import type { EntityManager } from 'typeorm';
import { streamParts } from '../../common/domain/stream-name';
import { TARGET_ADDED, TARGET_CHANGED, TargetType, targetEventTypes, toTargetEvent } from '../domain/target-events';
import { recordTenantProgress } from '../../common/read-model/tenant-progress';
import { TargetEntity, TargetProgressEntity, type TargetRow } from './target.entity';

async function reduce(event: StoredEvent, manager: EntityManager): Promise<void> {
  const [instance, id] = streamParts('target', event.stream) ?? [];
  const domainEvent = toTargetEvent(event.type, event.data);
  if (instance === undefined || id === undefined || !domainEvent) return;
  const key = { instance, id };
  const touched = { changeDate: event.createdAt, sequence: event.revision + 1 };
  switch (domainEvent.type) {
    case TARGET_ADDED:
      await manager.save(TargetEntity, {
        ...key,
        ...domainEvent.data,
        nameLower: domainEvent.data.name.toLowerCase(),
        isAsync: domainEvent.data.targetType === TargetType.Async,
        creationDate: event.createdAt,
        ...touched,
      });
      return;
    case TARGET_CHANGED: {
      const changes: Partial<TargetRow> = { ...domainEvent.data, ...touched };
      if (domainEvent.data.name !== undefined) changes.nameLower = domainEvent.data.name.toLowerCase();
      if (domainEvent.data.targetType !== undefined) changes.isAsync = domainEvent.data.targetType === TargetType.Async;
      await manager.update(TargetEntity, key, changes);
      return;
    }
    default:
      await manager.delete(TargetEntity, key);
  }
}

/** Targets with all their fields, one row per (instance, target id). */
export const targetsProjection: Projection = {
  name: 'targets',
  eventTypes: targetEventTypes,
  entities: [TargetEntity, TargetProgressEntity],
  async apply(events, manager) {
    await recordTenantProgress(manager, TargetProgressEntity, events);
    for (const event of events) await reduce(event, manager);
  },
};
