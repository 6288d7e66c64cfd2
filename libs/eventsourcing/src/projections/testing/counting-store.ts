import type { EventStore } from '@app/event-store';

/** Delegates to a real store and counts the reads the engine makes. */
export interface CountingStore extends EventStore {
  readonly calls: { headPosition: number; readAll: number };
}

export function countingStore(store: EventStore): CountingStore {
  const calls = { headPosition: 0, readAll: 0 };
  return {
    calls,
    kind: store.kind,
    init: () => store.init(),
    append: (stream, events, options) => store.append(stream, events, options),
    readStream: (stream, options) => store.readStream(stream, options),
    readAll: (options) => {
      calls.readAll += 1;
      return store.readAll(options);
    },
    headPosition: () => {
      calls.headPosition += 1;
      return store.headPosition();
    },
    subscribe: (options, handler) => store.subscribe(options, handler),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
