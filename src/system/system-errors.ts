import { aborted, notFound, type ApiError } from '../common/errors/api-error';

/** Error ids of the operations endpoints (/system/v1). */
export const SystemErrorId = {
  unknownProjection: 'SYSTEM-4q8zr2mw7d',
  noRebuild: 'SYSTEM-9c1kx5vb3n',
  rebuildRunning: 'SYSTEM-2h7tp0ys6e',
  unknownSubscriber: 'SYSTEM-6f3ma9qj1u',
  unknownFailedEvent: 'SYSTEM-8w5nc4lr0g',
  notParked: 'SYSTEM-1b6vd8hk2x',
} as const;

export const unknownProjection = (name: string, known: readonly string[]): ApiError =>
  notFound(SystemErrorId.unknownProjection, `Projection "${name}" does not exist (projections: ${known.join(', ')})`);
export const noRebuild = (name: string): ApiError => notFound(SystemErrorId.noRebuild, `No rebuild of projection "${name}" was started yet (through this API or the command line)`);
export const rebuildRunning = (name: string): ApiError => aborted(SystemErrorId.rebuildRunning, `A rebuild of projection "${name}" is already running`);
export const unknownSubscriber = (name: string, known: readonly string[]): ApiError =>
  notFound(SystemErrorId.unknownSubscriber, `Subscriber "${name}" does not exist (subscribers: ${known.join(', ')})`);
export const unknownFailedEvent = (id: string): ApiError => notFound(SystemErrorId.unknownFailedEvent, `No failed event with id "${id}" is waiting for a retry`);
export const notParked = (id: string): ApiError => notFound(SystemErrorId.notParked, `No parked delivery with id "${id}"`);
