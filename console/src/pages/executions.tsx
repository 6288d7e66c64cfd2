import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { loadCatalogue, methodsOf, type Catalogue } from '../api/catalogue';
import { api, ApiError } from '../api/client';
import { fieldOfError, FORM_LEVEL } from '../api/field-errors';
import { conditionKind, describeCondition, type Condition, type ConditionKind, type Execution, type ExecutionJson, type ExecutionTarget, type Target } from '../api/types';
import { Confirm } from '../components/confirm';
import { EmptyState, ErrorText } from '../components/form';
import { Modal } from '../components/modal';

const GROUPS: readonly { kind: ConditionKind; title: string; help: string }[] = [
  { kind: 'request', title: 'Request', help: 'Runs before an API method handles a call.' },
  { kind: 'response', title: 'Response', help: 'Runs on the answer of an API method.' },
  { kind: 'event', title: 'Event', help: 'Runs when an event is stored.' },
  { kind: 'function', title: 'Function', help: 'Runs inside a named flow of the host system.' },
];

/** The page loads every execution at once: an instance has a handful to a few hundred. */
const LIST_LIMIT = 1000;

export function ExecutionsPage({ onGoToTargets }: { onGoToTargets(): void }) {
  const [executions, setExecutions] = useState<Execution[]>();
  const [targets, setTargets] = useState<Target[]>([]);
  const [loadError, setLoadError] = useState<ApiError>();
  const [editing, setEditing] = useState<Execution | 'new'>();

  const load = useCallback(async () => {
    try {
      const [list, targetList] = await Promise.all([
        api<{ result?: ExecutionJson[] }>('POST', '/v3alpha/executions/search', { query: { limit: LIST_LIMIT, asc: true } }),
        api<{ result?: Target[] }>('POST', '/v3alpha/targets/search', { query: { limit: LIST_LIMIT, asc: true }, sortingColumn: 'TARGET_FIELD_NAME_NAME' }),
      ]);
      setExecutions((list.result ?? []).flatMap((entry) => {
        const condition = entry.condition ?? entry.Condition;
        return condition ? [{ condition, details: entry.details, targets: entry.targets ?? [] }] : [];
      }));
      setTargets(targetList.result ?? []);
      setLoadError(undefined);
    } catch (error) {
      if (error instanceof ApiError) setLoadError(error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const targetName = (id: string) => targets.find((target) => target.targetId === id)?.name ?? id;
  const remove = async (execution: Execution) => {
    await api('DELETE', '/v3alpha/executions', { condition: execution.condition });
    await load();
  };

  return (
    <section aria-labelledby="executions-title">
      <div className="page-head">
        <h1 id="executions-title">Executions</h1>
        <button type="button" className="button primary" onClick={() => setEditing('new')} disabled={targets.length === 0 && executions !== undefined}>
          New execution
        </button>
      </div>
      <p className="lead">An execution says which targets run, in order, when a request, response, event or function happens.</p>
      <ErrorText error={loadError} />
      {executions === undefined ? (
        <p className="loading" aria-busy="true">Loading executions…</p>
      ) : executions.length === 0 && targets.length === 0 ? (
        <EmptyState title="No executions yet, and no targets to call.">
          First{' '}
          <button type="button" className="link" onClick={onGoToTargets}>
            create a target
          </button>
          , then come back to set an execution on it.
        </EmptyState>
      ) : (
        GROUPS.map((group) => {
          const members = executions.filter((execution) => conditionKind(execution.condition) === group.kind);
          return (
            <section key={group.kind} className="group" aria-labelledby={`group-${group.kind}`}>
              <h2 id={`group-${group.kind}`}>
                {group.title} <span className="count">{members.length}</span>
              </h2>
              <p className="hint">{group.help}</p>
              {members.length === 0 ? (
                <p className="muted">None. Use New execution to add one.</p>
              ) : (
                <ul className="cards">
                  {members.map((execution) => {
                    const label = describeCondition(execution.condition);
                    return (
                      <li key={label} className="card">
                        <div className="card-main">
                          <p className="mono break">
                            <strong>{label}</strong>
                          </p>
                          <ol className="target-chain" aria-label={`Targets of ${label}`}>
                            {execution.targets.map((entry, index) => (
                              <li key={index}>{entry.target ? targetName(entry.target) : entry.include ? `include ${conditionKind(entry.include)} ${describeCondition(entry.include)}` : '?'}</li>
                            ))}
                          </ol>
                        </div>
                        <div className="row-actions">
                          <button type="button" className="button" onClick={() => setEditing(execution)} aria-label={`Edit execution ${label}`}>
                            Edit
                          </button>
                          <Confirm
                            trigger={
                              <button type="button" className="button danger" aria-label={`Delete execution ${label}`}>
                                Delete
                              </button>
                            }
                            title="Delete this execution?"
                            description={`${group.title} ${label} stops calling its targets. The targets themselves stay.`}
                            confirmLabel="Delete execution"
                            onConfirm={() => remove(execution)}
                          />
                        </div>
                      </li>
                    );
                  })}
                </ul>
              )}
            </section>
          );
        })
      )}
      <Modal open={editing !== undefined} onOpenChange={(open) => !open && setEditing(undefined)} title={editing === 'new' ? 'New execution' : 'Edit execution'}>
        {editing !== undefined ? (
          <ExecutionForm
            execution={editing === 'new' ? undefined : editing}
            targets={targets}
            executions={executions ?? []}
            onSaved={() => {
              setEditing(undefined);
              void load();
            }}
            onCancel={() => setEditing(undefined)}
          />
        ) : null}
      </Modal>
    </section>
  );
}

type Scope = 'method' | 'service' | 'all';
type EventScope = 'event' | 'group' | 'all';

interface ConditionDraft {
  kind: ConditionKind;
  service: string;
  method: string;
  eventScope: EventScope;
  eventText: string;
  functionName: string;
}

function draftOf(condition: Condition | undefined): ConditionDraft {
  const draft: ConditionDraft = { kind: 'request', service: '', method: '', eventScope: 'event', eventText: '', functionName: '' };
  if (!condition) return draft;
  if ('request' in condition || 'response' in condition) {
    const value = 'request' in condition ? condition.request : condition.response;
    const method = value.method ?? '';
    return { ...draft, kind: conditionKind(condition), method, service: value.service ?? method.split('/')[1] ?? '' };
  }
  if ('event' in condition) {
    const scope: EventScope = condition.event.event !== undefined ? 'event' : condition.event.group !== undefined ? 'group' : 'all';
    return { ...draft, kind: 'event', eventScope: scope, eventText: condition.event.event ?? condition.event.group ?? '' };
  }
  return { ...draft, kind: 'function', functionName: condition.function.name };
}

function conditionOf(draft: ConditionDraft): Condition {
  switch (draft.kind) {
    case 'request':
    case 'response': {
      const scope: Scope = draft.method ? 'method' : draft.service ? 'service' : 'all';
      const value = scope === 'method' ? { method: draft.method } : scope === 'service' ? { service: draft.service } : { all: true };
      return draft.kind === 'request' ? { request: value } : { response: value };
    }
    case 'event':
      return { event: draft.eventScope === 'all' ? { all: true } : draft.eventScope === 'group' ? { group: draft.eventText } : { event: draft.eventText } };
    case 'function':
      return { function: { name: draft.functionName } };
  }
}

interface ChainEntry {
  key: number;
  target?: string;
  include?: string;
}

const EXECUTION_FIELDS = ['condition', 'targets'] as const;
let nextKey = 1;

function ExecutionForm({ execution, targets, executions, onSaved, onCancel }: { execution?: Execution; targets: Target[]; executions: Execution[]; onSaved(): void; onCancel(): void }) {
  const [catalogue, setCatalogue] = useState<Catalogue>();
  const [catalogueError, setCatalogueError] = useState<ApiError>();
  const [draft, setDraft] = useState(() => draftOf(execution?.condition));
  const [chain, setChain] = useState<ChainEntry[]>(() =>
    execution
      ? execution.targets.map((entry) => ({ key: nextKey++, target: entry.target, include: entry.include ? JSON.stringify(entry.include) : undefined }))
      : [{ key: nextKey++, target: targets[0]?.targetId ?? '' }],
  );
  const [error, setError] = useState<{ field: string; error: ApiError }>();
  const [busy, setBusy] = useState(false);
  const errorFor = (field: string) => (error?.field === field ? error.error : undefined);
  const locked = execution !== undefined;

  useEffect(() => {
    loadCatalogue().then(setCatalogue, (caught: unknown) => caught instanceof ApiError && setCatalogueError(caught));
  }, []);

  const update = (patch: Partial<ConditionDraft>) => setDraft((current) => ({ ...current, ...patch }));
  const move = (index: number, by: number) =>
    setChain((current) => {
      const next = [...current];
      const [entry] = next.splice(index, 1);
      next.splice(index + by, 0, entry);
      return next;
    });
  const includable = executions.filter((other) => !execution || describeCondition(other.condition) !== describeCondition(execution.condition) || conditionKind(other.condition) !== conditionKind(execution.condition));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const chainTargets: ExecutionTarget[] = chain.map((entry) => (entry.include !== undefined ? { include: entry.include ? (JSON.parse(entry.include) as Condition) : undefined } : { target: entry.target }));
    try {
      await api('PUT', '/v3alpha/executions', { condition: conditionOf(draft), targets: chainTargets });
      onSaved();
    } catch (caught) {
      const apiError = caught instanceof ApiError ? caught : new ApiError(0, 2, '', String(caught));
      setError({ field: fieldOfError(apiError, EXECUTION_FIELDS), error: apiError });
    } finally {
      setBusy(false);
    }
  };

  const conditionError = errorFor('condition');
  const conditionDescribedBy = conditionError ? 'condition-error' : undefined;
  const methods = catalogue && draft.service ? methodsOf(catalogue, draft.service) : [];
  return (
    <form onSubmit={submit} noValidate className="form">
      <fieldset className={`field${conditionError ? ' field-invalid' : ''}`} disabled={locked} aria-describedby={conditionDescribedBy}>
        <legend>Condition{locked ? ' (fixed: it identifies the execution)' : ''}</legend>
        <div className="field">
          <label htmlFor="condition-kind">When</label>
          <select id="condition-kind" value={draft.kind} onChange={(event) => update({ kind: event.target.value as ConditionKind })}>
            {GROUPS.map((group) => (
              <option key={group.kind} value={group.kind}>
                {group.title}: {group.help}
              </option>
            ))}
          </select>
        </div>
        {catalogueError ? <ErrorText error={catalogueError} /> : null}
        {draft.kind === 'request' || draft.kind === 'response' ? (
          <>
            <div className="field">
              <label htmlFor="condition-service">Service</label>
              <select id="condition-service" value={draft.service} onChange={(event) => update({ service: event.target.value, method: '' })} aria-busy={!catalogue}>
                <option value="">Every service</option>
                {catalogue?.services.map((service) => (
                  <option key={service} value={service}>
                    {service}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="condition-method">Method</label>
              <select id="condition-method" value={draft.method} onChange={(event) => update({ method: event.target.value })} disabled={!draft.service}>
                <option value="">{draft.service ? 'Every method of the service' : 'Pick a service first'}</option>
                {methods.map((method) => (
                  <option key={method} value={method}>
                    {method.split('/').pop()}
                  </option>
                ))}
              </select>
            </div>
          </>
        ) : draft.kind === 'event' ? (
          <>
            <div className="radio-row" role="radiogroup" aria-label="Events">
              {(['event', 'group', 'all'] as const).map((scope) => (
                <label key={scope} className="radio">
                  <input type="radio" name="event-scope" value={scope} checked={draft.eventScope === scope} onChange={() => update({ eventScope: scope })} />
                  {scope === 'event' ? 'One event type' : scope === 'group' ? 'A group (type prefix)' : 'Every event'}
                </label>
              ))}
            </div>
            {draft.eventScope !== 'all' ? (
              <div className="field">
                <label htmlFor="condition-event">{draft.eventScope === 'event' ? 'Event type' : 'Group'}</label>
                <input id="condition-event" value={draft.eventText} onChange={(event) => update({ eventText: event.target.value })} placeholder={draft.eventScope === 'event' ? 'user.human.added' : 'user.human'} autoComplete="off" />
              </div>
            ) : null}
          </>
        ) : (
          <div className="field">
            <label htmlFor="condition-function">Function</label>
            <select id="condition-function" value={draft.functionName} onChange={(event) => update({ functionName: event.target.value })}>
              <option value="">Pick a function</option>
              {catalogue?.functions.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        )}
        <ErrorText id="condition-error" error={conditionError} />
      </fieldset>

      <fieldset className={`field${errorFor('targets') ? ' field-invalid' : ''}`} aria-describedby={errorFor('targets') ? 'targets-error' : undefined}>
        <legend>Targets, called in this order</legend>
        {chain.length === 0 ? <p className="muted">No targets: add at least one.</p> : null}
        <ol className="chain">
          {chain.map((entry, index) => (
            <li key={entry.key} className="chain-entry">
              {entry.include !== undefined ? (
                <label className="chain-field">
                  <span>Include execution {index + 1}</span>
                  <select value={entry.include} onChange={(event) => setChain((current) => current.map((other) => (other.key === entry.key ? { ...other, include: event.target.value } : other)))}>
                    <option value="">Pick an execution</option>
                    {includable.map((other) => (
                      <option key={JSON.stringify(other.condition)} value={JSON.stringify(other.condition)}>
                        {conditionKind(other.condition)} {describeCondition(other.condition)}
                      </option>
                    ))}
                  </select>
                </label>
              ) : (
                <label className="chain-field">
                  <span>Target {index + 1}</span>
                  <select value={entry.target ?? ''} onChange={(event) => setChain((current) => current.map((other) => (other.key === entry.key ? { ...other, target: event.target.value } : other)))}>
                    <option value="">Pick a target</option>
                    {targets.map((target) => (
                      <option key={target.targetId} value={target.targetId}>
                        {target.name}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              <div className="chain-actions">
                <button type="button" className="button small" onClick={() => move(index, -1)} disabled={index === 0} aria-label={`Move entry ${index + 1} up`}>
                  ↑
                </button>
                <button type="button" className="button small" onClick={() => move(index, 1)} disabled={index === chain.length - 1} aria-label={`Move entry ${index + 1} down`}>
                  ↓
                </button>
                <button type="button" className="button small danger" onClick={() => setChain((current) => current.filter((other) => other.key !== entry.key))} aria-label={`Remove entry ${index + 1}`}>
                  Remove
                </button>
              </div>
            </li>
          ))}
        </ol>
        <div className="chain-add">
          <button type="button" className="button" onClick={() => setChain((current) => [...current, { key: nextKey++, target: '' }])}>
            Add target
          </button>
          <button type="button" className="button" onClick={() => setChain((current) => [...current, { key: nextKey++, include: '' }])} disabled={includable.length === 0}>
            Add include
          </button>
        </div>
        <ErrorText id="targets-error" error={errorFor('targets')} />
      </fieldset>
      <ErrorText error={errorFor(FORM_LEVEL)} />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Saving…' : 'Save execution'}
        </button>
      </div>
    </form>
  );
}
