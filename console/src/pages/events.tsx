import { useEffect, useMemo, useState } from 'react';
import type { ApiError } from '../api/client';
import { followEvents, type StreamedEvent, type StreamState } from '../api/event-stream';
import { EmptyState, ErrorText } from '../components/form';

/** The newest events kept in the page; older ones drop off the end. */
const KEEP = 2000;

const STATE_TEXT: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting… (no event is missed)',
  failed: 'Stopped',
};

export function EventsPage() {
  const [events, setEvents] = useState<StreamedEvent[]>([]);
  const [state, setState] = useState<StreamState>('connecting');
  const [streamError, setStreamError] = useState<ApiError>();
  const [typeFilter, setTypeFilter] = useState('');
  const [selected, setSelected] = useState<StreamedEvent>();

  useEffect(
    () =>
      followEvents({
        onEvent: (event) => setEvents((current) => [event, ...current].slice(0, KEEP)),
        onState: (next, error) => {
          setState(next);
          setStreamError(next === 'failed' && error && typeof error !== 'string' ? error : undefined);
        },
      }),
    [],
  );

  const types = useMemo(() => [...new Set(events.map((event) => event.type))].sort(), [events]);
  const shown = typeFilter ? events.filter((event) => event.type.startsWith(typeFilter)) : events;

  return (
    <section aria-labelledby="events-title">
      <div className="page-head">
        <h1 id="events-title">Event log</h1>
        <p className={`stream-state state-${state}`} role="status">
          <span className="dot" aria-hidden="true" />
          {STATE_TEXT[state]}
        </p>
      </div>
      <p className="lead">Every change to your instance, newest first, as it happens.</p>
      <ErrorText error={streamError} />
      <div className="toolbar">
        <label htmlFor="event-type-filter">Filter by type</label>
        <input id="event-type-filter" list="event-types" value={typeFilter} onChange={(event) => setTypeFilter(event.target.value)} placeholder="e.g. execution." autoComplete="off" />
        <datalist id="event-types">
          {types.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
      </div>
      <div className="log-layout">
        {shown.length === 0 ? (
          <EmptyState title={events.length === 0 ? 'No events yet.' : `No event type starts with “${typeFilter}”.`}>
            {events.length === 0 ? 'Create a target or set an execution: its events appear here at once.' : 'Change or clear the filter.'}
          </EmptyState>
        ) : (
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Events">
            <table className="log">
              <caption className="visually-hidden">Events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Sequence</th>
                  <th scope="col">Type</th>
                  <th scope="col">Aggregate</th>
                  <th scope="col">Time</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((event) => (
                  <tr key={event.cursor} className={selected?.cursor === event.cursor ? 'selected' : undefined}>
                    <td data-label="Sequence" className="mono">{event.sequence}</td>
                    <td data-label="Type">
                      <button type="button" className="link" onClick={() => setSelected(event)} aria-pressed={selected?.cursor === event.cursor}>
                        {event.type}
                      </button>
                    </td>
                    <td data-label="Aggregate" className="mono break">
                      {event.aggregate ? `${event.aggregate.type} ${event.aggregate.id}` : event.stream}
                    </td>
                    <td data-label="Time">{new Date(event.createdAt).toLocaleTimeString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <aside className="event-detail" aria-label="Event details">
          {selected ? (
            <>
              <h2>{selected.type}</h2>
              <dl>
                <dt>Sequence</dt>
                <dd className="mono">{selected.sequence}</dd>
                <dt>Stream</dt>
                <dd className="mono break">{selected.stream}</dd>
                <dt>Actor</dt>
                <dd className="mono break">{selected.metadata.actor ?? '—'}</dd>
                <dt>Correlation id</dt>
                <dd className="mono break">{selected.metadata.correlationId ?? '—'}</dd>
                <dt>Created</dt>
                <dd>{new Date(selected.createdAt).toLocaleString()}</dd>
              </dl>
              <h3>Data</h3>
              <pre className="json" tabIndex={0} aria-label="Event data">{JSON.stringify(selected.data, null, 2)}</pre>
              <h3>Metadata</h3>
              <pre className="json" tabIndex={0} aria-label="Event metadata">{JSON.stringify(selected.metadata, null, 2)}</pre>
            </>
          ) : (
            <p className="muted">Pick an event type in the list to see its data and metadata.</p>
          )}
        </aside>
      </div>
    </section>
  );
}
