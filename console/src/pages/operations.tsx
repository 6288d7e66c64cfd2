import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { operations } from '../api/operations';
import { SYSTEM_ROLE } from '../api/session';
import { EmptyState } from '../components/form';
import { ListedRows, TableSection } from '../components/table-section';
import { tokenCommand } from '../../../src/auth/token-command';
import type { FailedEventView, ParkedDeliveryView, ProjectionView, RebuildJob, SubscriberReport } from '../../../src/system/system-views';

/** How often a running rebuild's progress is read. */
const PROGRESS_POLL_MS = 250;
/** How often the projections are read while no rebuild runs. */
const LIST_REFRESH_MS = 2_000;

/** The list's rebuild replaces the one shown when it is another (later) start, or this one has ended. */
const listedIsNewer = (listed: RebuildJob, shown: RebuildJob | undefined): boolean =>
  shown === undefined || listed.startedAt !== shown.startedAt || (shown.state === 'running' && listed.state !== 'running');
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
  const [projections, setProjections] = useState<ProjectionView[]>();
  const [error, setError] = useState<ApiError>();
  const [jobs, setJobs] = useState<Record<string, RebuildJob>>({});

  const load = useCallback(async () => {
    try {
      const answer = await operations.projections();
      setProjections(answer.projections);
      setJobs((current) => {
        const next = { ...current };
        for (const { name, rebuild } of answer.projections) if (rebuild && listedIsNewer(rebuild, current[name])) next[name] = rebuild;
        return next;
      });
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
  // While nothing runs, the list is read again now and then: a rebuild started elsewhere (another
  // replica, the command line) then shows its bar here too.
  useEffect(() => {
    if (runningKey !== '') return;
    const timer = setInterval(() => void load(), LIST_REFRESH_MS);
    return () => clearInterval(timer);
  }, [runningKey, load]);
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
    <TableSection
      id="projections-title"
      title="Projections"
      lead="The read model's tables, each fed from the event log. A rebuild replays the whole log into fresh tables while the service keeps serving."
      error={error}
      table={{
        rows: projections,
        loading: 'Loading projections…',
        label: { text: 'Projections' },
        caption: 'Projections',
        rowKey: (projection) => projection.name,
        columns: [
          { header: 'Name', className: 'mono', cell: (projection) => projection.name },
          { header: 'Position', className: 'mono', cell: (projection) => projection.position },
          { header: 'Lag (events)', cell: (projection) => projection.lagEvents },
          {
            header: 'Status',
            cell: (projection) => {
              const status = jobs[projection.name]?.state === 'running' ? 'rebuilding' : projection.status;
              return (
                <>
                  <span className={`badge badge-${status}`}>{status}</span>
                  {projection.lastError ? <p className="hint break">{projection.lastError}</p> : null}
                </>
              );
            },
          },
          {
            header: 'Rebuild',
            className: 'rebuild-cell',
            cell: (projection) => {
              const job = jobs[projection.name];
              const busy = job?.state === 'running';
              return (
                <>
                  <button type="button" className="button small" disabled={busy} aria-busy={busy} onClick={() => void start(projection.name)}>
                    {busy ? 'Rebuilding…' : `Rebuild ${projection.name}`}
                  </button>
                  {job ? <RebuildProgress job={job} /> : null}
                </>
              );
            },
          },
        ],
      }}
    />
  );
}

function SubscribersSection() {
  const [subscribers, setSubscribers] = useState<SubscriberReport[]>();
  const [failed, setFailed] = useState<FailedEventView[]>();
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

  const retry = async (event: FailedEventView) => {
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
    <TableSection
      id="subscribers-title"
      title="Subscribers"
      lead="Background handlers that react to events. An event a handler keeps failing on is parked here after its retries."
      error={error}
      table={{
        rows: subscribers,
        loading: 'Loading subscribers…',
        label: { text: 'Subscribers' },
        caption: 'Subscribers',
        rowKey: (subscriber) => subscriber.name,
        columns: [
          { header: 'Name', className: 'mono', cell: (subscriber) => subscriber.name },
          { header: 'Position', className: 'mono', cell: (subscriber) => subscriber.position },
          { header: 'Lag (events)', cell: (subscriber) => subscriber.lagEvents },
          { header: 'Failed events', cell: (subscriber) => subscriber.failedEvents },
          { header: 'Lease holder', className: 'mono break', cell: (subscriber) => subscriber.leaseHolder ?? '—' },
        ],
      }}
    >
      <h3 id="failed-events-title">Failed events</h3>
      <p role="status" className="muted">{outcome}</p>
      <ListedRows
        rows={failed}
        empty={
          <EmptyState title="No failed events.">
            Every event was handled. When a subscriber gives up on an event, it appears here: fix its cause (the error says what), then retry it.
          </EmptyState>
        }
        label={{ by: 'failed-events-title' }}
        caption="Failed events, in log order"
        rowKey={(event) => event.id}
        columns={[
          { header: 'Id', className: 'mono', cell: (event) => event.id },
          { header: 'Subscriber', className: 'mono', cell: (event) => event.subscriber },
          { header: 'Type', className: 'mono', cell: (event) => event.type },
          { header: 'Attempts', cell: (event) => event.attempts },
          { header: 'Error', className: 'break', cell: (event) => <StoredError text={event.error} /> },
          {
            header: 'Actions',
            actions: true,
            cell: (event) => (
              <button type="button" className="button small" disabled={retrying !== undefined} aria-busy={retrying === event.id} onClick={() => void retry(event)}>
                {retrying === event.id ? 'Retrying…' : `Retry event ${event.id}`}
              </button>
            ),
          },
        ]}
      />
    </TableSection>
  );
}

function DeliveriesSection() {
  const [deliveries, setDeliveries] = useState<ParkedDeliveryView[]>();
  const [error, setError] = useState<ApiError>();
  const [outcome, setOutcome] = useState('');
  const [retrying, setRetrying] = useState<string>();

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

  const retry = async (delivery: ParkedDeliveryView) => {
    setRetrying(delivery.id);
    try {
      await operations.retryDelivery(delivery.id);
      setOutcome(`Delivery ${delivery.id} is pending again; the service sends it shortly.`);
      await load();
    } catch (caught) {
      setError(errorOf(caught));
    } finally {
      setRetrying(undefined);
    }
  };

  return (
    <TableSection
      id="deliveries-title"
      title="Parked deliveries"
      lead="Events sent to the targets of event executions, of every instance, that failed on their last attempt."
      error={error}
      outcome={outcome}
      table={{
        rows: deliveries,
        loading: 'Loading deliveries…',
        empty: (
          <EmptyState title="No parked deliveries.">
            Every event reached its targets. When a target keeps failing, its delivery is parked here: fix the target (see the error), then retry it.
          </EmptyState>
        ),
        label: { text: 'Parked deliveries' },
        caption: 'Parked deliveries, oldest first',
        rowKey: (delivery) => delivery.id,
        columns: [
          { header: 'Id', className: 'mono', cell: (delivery) => delivery.id },
          { header: 'Instance', className: 'mono break', cell: (delivery) => delivery.instanceId },
          { header: 'Event type', className: 'mono', cell: (delivery) => delivery.eventType },
          { header: 'Target', className: 'mono break', cell: (delivery) => delivery.targetId },
          { header: 'Attempts', cell: (delivery) => delivery.attempts },
          { header: 'Error', className: 'break', cell: (delivery) => (delivery.lastError ? <StoredError text={delivery.lastError} /> : '—') },
          {
            header: 'Actions',
            actions: true,
            cell: (delivery) => (
              <button type="button" className="button small" disabled={retrying !== undefined} aria-busy={retrying === delivery.id} onClick={() => void retry(delivery)}>
                {retrying === delivery.id ? 'Retrying…' : `Retry delivery ${delivery.id}`}
              </button>
            ),
          },
        ],
      }}
    />
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
