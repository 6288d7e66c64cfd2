import { WrongExpectedRevisionError } from '@app/event-store';
import type { AggregateRepository, SaveOptions, SaveResult } from '../aggregate/aggregate-repository';
import type { DomainEvent, EventSourcedAggregate } from '../aggregate/aggregate-root';

/** The command kept losing the optimistic-concurrency race; nothing was stored. */
export class ConcurrencyConflictError extends Error {
  constructor(
    readonly stream: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`Concurrent modification of "${stream}" after ${attempts} attempt(s)`, options);
    this.name = 'ConcurrencyConflictError';
  }
}

export interface HandleCommandOptions extends SaveOptions {
  /** Attempts in total, including the first. Default 5; at least 1. */
  maxAttempts?: number;
}

const DEFAULT_MAX_ATTEMPTS = 5;

/** NaN (say, from a mis-parsed setting) would otherwise skip every attempt and report a conflict. */
function attemptsAllowed(requested: number | undefined): number {
  if (requested === undefined || Number.isNaN(requested)) return DEFAULT_MAX_ATTEMPTS;
  return Math.max(1, Math.floor(requested));
}

export interface HandledCommand<TResult> {
  /** What `decide` returned on the attempt that was stored. */
  result: TResult;
  /** Undefined when `decide` raised no event. */
  saved: SaveResult | undefined;
}

/**
 * Load, decide, append. `decide` validates the command against the aggregate's current state
 * and raises events (or throws a domain error, which propagates unchanged). When the append
 * loses a concurrency race the aggregate is reloaded and `decide` runs again on the new state,
 * up to `maxAttempts` times; after that a ConcurrencyConflictError is thrown.
 */
export async function handleCommand<TAggregate extends EventSourcedAggregate<TEvent>, TEvent extends DomainEvent, TResult>(
  repository: AggregateRepository<TAggregate, TEvent>,
  tenant: string,
  aggregateId: string,
  decide: (aggregate: TAggregate) => TResult | Promise<TResult>,
  options: HandleCommandOptions = {},
): Promise<HandledCommand<TResult>> {
  const maxAttempts = attemptsAllowed(options.maxAttempts);
  let lastConflict: WrongExpectedRevisionError | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const aggregate = await repository.load(tenant, aggregateId);
    const result = await decide(aggregate);
    try {
      const saved = await repository.save(tenant, aggregate, options);
      return { result, saved };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      lastConflict = error;
    }
  }
  throw new ConcurrencyConflictError(lastConflict?.stream ?? aggregateId, maxAttempts, { cause: lastConflict });
}
