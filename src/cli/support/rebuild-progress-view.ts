import type { RebuildProgress } from '@app/eventsourcing';
import { SingleBar } from 'cli-progress';
import type { CliIo } from '../cli-io';

export interface RebuildProgressView {
  update(progress: RebuildProgress): void;
  stop(): void;
}

const eta = (seconds: number | null): string => (seconds === null ? '?' : seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`);
const percent = (progress: RebuildProgress): number => (progress.total > 0 ? Math.floor((100 * progress.done) / progress.total) : 100);

/**
 * A progress bar (done/total, events/s, ETA) on a terminal; a plain line per report otherwise
 * (the library reports on phase changes and about once a second), so logs stay readable.
 * `done` and `total` count events of the projection's types (never log positions).
 */
export function rebuildProgressView(io: CliIo, stream: NodeJS.WritableStream = process.stderr): RebuildProgressView {
  if (!io.interactive) {
    return {
      update: (progress) =>
        io.stderr(
          `rebuild ${progress.projection}: ${progress.phase} ${progress.done}/${progress.total} (${percent(progress)}%), ` +
            `${progress.eventsReduced} events reduced, ${progress.eventsPerSecond} events/s, ETA ${eta(progress.etaSeconds)}\n`,
        ),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    stream,
    format: '{projection} [{bar}] {percentage}% | {value}/{total} | {rate} events/s | ETA {etaText} | {phase}',
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(progress) {
      const payload = { projection: progress.projection, rate: progress.eventsPerSecond, etaText: eta(progress.etaSeconds), phase: progress.phase };
      if (!started) {
        bar.start(Math.max(progress.total, 1), progress.done, payload);
        started = true;
      } else {
        bar.setTotal(Math.max(progress.total, 1));
        bar.update(progress.done, payload);
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
