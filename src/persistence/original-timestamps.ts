import type { EventMetadata, StoredEvent } from '@app/event-store';

/**
 * Metadata key holding an imported event's creation time in the store it was exported from.
 * The event-store port stamps `createdAt` with the importing store's clock, so the original
 * time travels here until the adapters can store it (see the events import command).
 */
export const ORIGINAL_CREATED_AT = 'originalCreatedAt';

/** When the event was first stored: the original time of an imported event, else `createdAt`. */
export function originalCreatedAt(event: StoredEvent): Date {
  const original = event.metadata[ORIGINAL_CREATED_AT];
  if (typeof original === 'string') {
    const date = new Date(original);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return event.createdAt;
}

/** The metadata as it was before an import added the original time. */
export function withoutImportMarks(metadata: EventMetadata): EventMetadata {
  if (!(ORIGINAL_CREATED_AT in metadata)) return metadata;
  const rest = { ...metadata };
  delete rest[ORIGINAL_CREATED_AT];
  return rest;
}
