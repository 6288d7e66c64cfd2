import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { operations, type FailedEvent, type ParkedDelivery, type Projection, type RebuildJob, type Subscriber } from '../api/operations';
import { SYSTEM_ROLE } from '../api/session';
import { EmptyState, ErrorText } from '../components/form';
import { tokenCommand } from '../../../src/auth/token-command';

/** How often a running rebuild's progress is read. */
const PROGRESS_POLL_MS = 250;
export const SYSTEM_TOKEN_COMMAND = tokenCommand('system', SYSTEM_ROLE);

/** What a tenant sees at /console/operations: the pages need the operators' role. */
export function NeedsSystemOwner() {
  return (
    <section aria-labelledby="operations-title">
      <h1 id="operations-title">Operations</h1>
      <div className="notice" role="status">
        <p>
          <strong>These pages need the {SYSTEM_ROLE} role.</strong> They show the service's projections, subscribers and deliveries of every
          instance, which an instance's token does not open.
        </p>
        <p>Sign out and paste a token of the service's operators; with the embedded key pair this command prints one:</p>
        <pre className="command" tabIndex={0} aria-label="CLI command for an operator token">
          <code>{SYSTEM_TOKEN_COMMAND}</code>
        </pre>
      </div>
    </section>
  );
}

/** A handler's error is stored with its stack: the first line says what went wrong. */
const firstLine = (text: string): string => text.split('\n', 1)[0] ?? '';

/** The error's first line; the rest (the stack) folded away. */
function StoredError({ text }: { text: string }) {
  const [head] = text.split('\n', 1);
  if (head === text) return <>{text}</>;
  return (
    <details>
      <summary>{head}</summary>
      <pre className="json">{text}</pre>
    </details>
  );
}

const errorOf = (caught: unknown): ApiError => (caught instanceof ApiError ? caught : new ApiError(0, 2, '', String(caught)));

function RebuildProgress({ job }: { job: RebuildJob }) {
  const label = job.state === 'failed' ? `failed: ${job.error ?? ''}` : job.state === 'done' ? 'done' : job.phase === 'switching' ? 'switching over' : 'replaying';
  return (
    <div className="rebuild-progress">
      <progress value={job.state === 'done' ? 1 : job.done} max={job.state === 'done' ? 1 : Math.max(job.total, 1)} aria-label={`Rebuild of ${job.projection}`} />
      <span className="muted" data-testid={`rebuild-${job.projection}-text`}>
        {job.done} / {job.total} events · {label}
      </span>
    </div>
  );
}

function ProjectionsSection({ onForbidden }: { onForbidden(): void }) {
  const [projections, setProjections] = useState<Projection[]>();
  const [error, setError] = useState<ApiError>();
  const [jobs, setJobs] = useState<Record<string, RebuildJob>>({});

  const load = useCallback(async () => {
    try {
      const answer = await operations.projections();
      setProjections(answer.projections);
      setJobs((current) => ({ ...Object.fromEntries(answer.projections.flatMap((projection) => (projection.rebuild ? [[projection.name, projection.rebuild]] : []))), ...current }));
      setError(undefined);
    } catch (caught) {
      const apiError = errorOf(caught);
      if (apiError.status === 403) onForbidden();
      setError(apiError);
    }
  }, [onForbidden]);
  useEffect(() => {
    void load();
  }, [load]);

  const running = Object.values(jobs).filter((job) => job.state === 'running').map((job) => job.projection);
  const runningKey = running.join(',');
  // Polls each running rebuild until it ends, then reloads the table (position, status).
  useEffect(() => {
    if (runningKey === '') return;
    const timer = setInterval(() => {
      for (const name of runningKey.split(',')) {
        operations.rebuild(name).then(
          (job) => {
            setJobs((current) => ({ ...current, [name]: job }));
            if (job.state !== 'running') void load();
          },
          (caught: unknown) => setError(errorOf(caught)),
        );
      }
    }, PROGRESS_POLL_MS);
    return () => clearInterval(timer);
  }, [runningKey, load]);

  const start = async (name: string) => {
    try {
      const job = await operations.startRebuild(name);
      setJobs((current) => ({ ...current, [name]: job }));
      setError(undefined);
    } catch (caught) {
      setError(errorOf(caught));
    }
  };

  return (
    <section aria-labelledby="projections-title" className="group">
      <h2 id="projections-title">Projections</h2>
      <p className="lead">The read model's tables, each fed from the event log. A rebuild replays the whole log into fresh tables while the service keeps serving.</p>
      <ErrorText error={error} />
      {projections === undefined ? (
        <p className="loading">Loading projections…</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Projections">
          <table>
            <caption className="visually-hidden">Projections</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Position</th>
                <th scope="col">Lag (events)</th>
                <th scope="col">Status</th>
                <th scope="col">Rebuild</th>
              </tr>
            </thead>
            <tbody>
              {projections.map((projection) => {
                const job = jobs[projection.name];
                const busy = job?.state === 'running';
                return (
                  <tr key={projection.name}>
                    <td data-label="Name" className="mono">{projection.name}</td>
                    <td data-label="Position" className="mono">{projection.position}</td>
                    <td data-label="Lag (events)">{projection.lagEvents}</td>
                    <td data-label="Status">
                      <span className={`badge badge-${busy ? 'rebuilding' : projection.status}`}>{busy ? 'rebuilding' : projection.status}</span>
                      {projection.lastError ? <p className="hint break">{projection.lastError}</p> : null}
                    </td>
                    <td data-label="Rebuild" className="rebuild-cell">
                      <button type="button" className="button small" disabled={busy} aria-busy={busy} onClick={() => void start(projection.name)}>
                        {busy ? 'Rebuilding…' : `Rebuild ${projection.name}`}
                      </button>
                      {job ? <RebuildProgress job={job} /> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function SubscribersSection() {
  const [subscribers, setSubscribers] = useState<Subscriber[]>();
  const [failed, setFailed] = useState<FailedEvent[]>();
  const [error, setError] = useState<ApiError>();
  const [outcome, setOutcome] = useState('');
  const [retrying, setRetrying] = useState<string>();

  const load = useCallback(async () => {
    try {
      const [list, events] = await Promise.all([operations.subscribers(), operations.failedEvents()]);
      setSubscribers(list.subscribers);
      setFailed(events.failedEvents);
      setError(undefined);
    } catch (caught) {
      setError(errorOf(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const retry = async (event: FailedEvent) => {
    setRetrying(event.id);
    try {
      const answer = await operations.retryFailedEvent(event.id);
      setOutcome(answer.resolved ? `Event ${event.id} (${event.type}) was handled.` : `Event ${event.id} failed again: ${firstLine(answer.failedEvent.error)}`);
      await load();
    } catch (caught) {
      setError(errorOf(caught));
    } finally {
      setRetrying(undefined);
    }
  };

  return (
    <section aria-labelledby="subscribers-title" className="group">
      <h2 id="subscribers-title">Subscribers</h2>
      <p className="lead">Background handlers that react to events. An event a handler keeps failing on is parked here after its retries.</p>
      <ErrorText error={error} />
      {subscribers === undefined ? (
        <p className="loading">Loading subscribers…</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Subscribers">
          <table>
            <caption className="visually-hidden">Subscribers</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Position</th>
                <th scope="col">Lag (events)</th>
                <th scope="col">Failed events</th>
                <th scope="col">Lease holder</th>
              </tr>
            </thead>
            <tbody>
              {subscribers.map((subscriber) => (
                <tr key={subscriber.name}>
                  <td data-label="Name" className="mono">{subscriber.name}</td>
                  <td data-label="Position" className="mono">{subscriber.position}</td>
                  <td data-label="Lag (events)">{subscriber.lagEvents}</td>
                  <td data-label="Failed events">{subscriber.failedEvents}</td>
                  <td data-label="Lease holder" className="mono break">{subscriber.leaseHolder ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 id="failed-events-title">Failed events</h3>
      <p role="status" className="muted">{outcome}</p>
      {failed === undefined ? null : failed.length === 0 ? (
        <EmptyState title="No failed events.">
          Every event was handled. When a subscriber gives up on an event, it appears here: fix its cause (the error says what), then retry it.
        </EmptyState>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="failed-events-title">
          <table>
            <caption className="visually-hidden">Failed events, in log order</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Subscriber</th>
                <th scope="col">Type</th>
                <th scope="col">Attempts</th>
                <th scope="col">Error</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {failed.map((event) => (
                <tr key={event.id}>
                  <td data-label="Id" className="mono">{event.id}</td>
                  <td data-label="Subscriber" className="mono">{event.subscriber}</td>
                  <td data-label="Type" className="mono">{event.type}</td>
                  <td data-label="Attempts">{event.attempts}</td>
                  <td data-label="Error" className="break">
                    <StoredError text={event.error} />
                  </td>
                  <td className="row-actions">
                    <button type="button" className="button small" disabled={retrying !== undefined} aria-busy={retrying === event.id} onClick={() => void retry(event)}>
                      {retrying === event.id ? 'Retrying…' : `Retry event ${event.id}`}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function DeliveriesSection() {
  const [deliveries, setDeliveries] = useState<ParkedDelivery[]>();
  const [error, setError] = useState<ApiError>();
  const [outcome, setOutcome] = useState('');

  const load = useCallback(async () => {
    try {
      setDeliveries((await operations.deliveries()).deliveries);
      setError(undefined);
    } catch (caught) {
      setError(errorOf(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const retry = async (delivery: ParkedDelivery) => {
    try {
      await operations.retryDelivery(delivery.id);
      setOutcome(`Delivery ${delivery.id} is pending again; the service sends it shortly.`);
      await load();
    } catch (caught) {
      setError(errorOf(caught));
    }
  };

  return (
    <section aria-labelledby="deliveries-title" className="group">
      <h2 id="deliveries-title">Parked deliveries</h2>
      <p className="lead">Events sent to the targets of event executions, of every instance, that failed on their last attempt.</p>
      <ErrorText error={error} />
      <p role="status" className="muted">{outcome}</p>
      {deliveries === undefined ? (
        <p className="loading">Loading deliveries…</p>
      ) : deliveries.length === 0 ? (
        <EmptyState title="No parked deliveries.">
          Every event reached its targets. When a target keeps failing, its delivery is parked here: fix the target (see the error), then retry it.
        </EmptyState>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Parked deliveries">
          <table>
            <caption className="visually-hidden">Parked deliveries, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Instance</th>
                <th scope="col">Event type</th>
                <th scope="col">Target</th>
                <th scope="col">Attempts</th>
                <th scope="col">Error</th>
                <th scope="col"><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((delivery) => (
                <tr key={delivery.id}>
                  <td data-label="Id" className="mono">{delivery.id}</td>
                  <td data-label="Instance" className="mono break">{delivery.instanceId}</td>
                  <td data-label="Event type" className="mono">{delivery.eventType}</td>
                  <td data-label="Target" className="mono break">{delivery.targetId}</td>
                  <td data-label="Attempts">{delivery.attempts}</td>
                  <td data-label="Error" className="break">{delivery.lastError ? <StoredError text={delivery.lastError} /> : '—'}</td>
                  <td className="row-actions">
                    <button type="button" className="button small" onClick={() => void retry(delivery)}>
                      Retry delivery {delivery.id}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The service's projections, subscribers and parked deliveries, for a token with the system role. */
export function OperationsPage() {
  const [forbidden, setForbidden] = useState(false);
  const onForbidden = useCallback(() => setForbidden(true), []);
  if (forbidden) return <NeedsSystemOwner />;
  return (
    <section aria-labelledby="operations-title">
      <h1 id="operations-title">Operations</h1>
      <p className="lead">The service's own state, across every instance.</p>
      <ProjectionsSection onForbidden={onForbidden} />
      <SubscribersSection />
      <DeliveriesSection />
    </section>
  );
}
