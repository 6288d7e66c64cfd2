import { authHeaders, errorFromResponse, type ApiError } from './client';

export interface StreamedEvent {
  id: string;
  type: string;
  stream: string;
  /** Absent on events of bookkeeping streams (name reservations). */
  aggregate?: { type: string; id: string; resourceOwner: string };
  revision: number;
  sequence: string;
  /** The message's id: an opaque cursor, unique per event. */
  cursor: string;
  createdAt: string;
  data: unknown;
  metadata: { actor?: string; correlationId?: string; causationId?: string };
}

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'failed';

export interface StreamHandlers {
  onEvent(event: StreamedEvent): void;
  onState(state: StreamState, error?: ApiError | string): void;
}

interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** Splits text/event-stream text into messages; returns the unfinished remainder. */
export function parseSse(buffer: string, emit: (message: SseMessage) => void): string {
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const message: SseMessage = { data: '' };
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') message.id = value;
      else if (field === 'event') message.event = value;
      else if (field === 'data') data.push(value);
    }
    message.data = data.join('\n');
    if (message.data !== '' || message.event) emit(message);
  }
  return rest;
}

const RECONNECT_DELAYS_MS = [500, 1000, 2000, 5000];

/**
 * Follows GET /v3alpha/events. EventSource cannot send an Authorization header, so this reads
 * the stream with fetch, and after a drop reconnects with Last-Event-ID so no event is missed
 * or repeated. Returns a function that stops following.
 */
export function followEvents(handlers: StreamHandlers): () => void {
  const controller = new AbortController();
  let lastEventId: string | undefined;
  let attempt = 0;

  const connect = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      handlers.onState(attempt === 0 ? 'connecting' : 'reconnecting');
      try {
        const response = await fetch('/v3alpha/events', {
          headers: { ...authHeaders(), Accept: 'text/event-stream', ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (!response.ok || !response.body) {
          const error = await errorFromResponse(response);
          // A refused token or permission will not get better by retrying.
          if (response.status === 401 || response.status === 403 || response.status === 400) {
            handlers.onState('failed', error);
            return;
          }
          throw error;
        }
        handlers.onState('live');
        attempt = 0;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = parseSse(buffer + value, (message) => {
            if (message.event === 'error') return;
            if (message.id) lastEventId = message.id;
            handlers.onEvent(JSON.parse(message.data) as StreamedEvent);
          });
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        handlers.onState('reconnecting', error instanceof Error ? error.message : String(error));
      }
      const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
      attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };
  void connect();
  return () => controller.abort();
}
