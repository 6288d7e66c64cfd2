import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client';
import { fieldOfError, FORM_LEVEL } from '../api/field-errors';
import { interruptsOnError, TARGET_TYPES, targetTypeOf, type ListDetails, type Target, type TargetType } from '../api/types';
import { Confirm } from '../components/confirm';
import { EmptyState, ErrorText, Field } from '../components/form';
import { Modal } from '../components/modal';
import { SigningKey } from '../components/signing-key';

const PAGE_SIZE = 10;

type SortColumn = 'TARGET_FIELD_NAME_NAME' | 'TARGET_FIELD_NAME_TARGET_TYPE' | 'TARGET_FIELD_NAME_URL' | 'TARGET_FIELD_NAME_TIMEOUT' | 'TARGET_FIELD_NAME_CHANGE_DATE';
const COLUMNS: readonly { column: SortColumn; label: string }[] = [
  { column: 'TARGET_FIELD_NAME_NAME', label: 'Name' },
  { column: 'TARGET_FIELD_NAME_TARGET_TYPE', label: 'Type' },
  { column: 'TARGET_FIELD_NAME_URL', label: 'Endpoint' },
  { column: 'TARGET_FIELD_NAME_TIMEOUT', label: 'Timeout' },
  { column: 'TARGET_FIELD_NAME_CHANGE_DATE', label: 'Changed' },
];

interface ListState {
  targets: Target[];
  total: number;
}

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

export function TargetsPage() {
  const [filter, setFilter] = useState('');
  const nameFilter = useDebounced(filter.trim(), 250);
  const [sort, setSort] = useState<{ column: SortColumn; asc: boolean }>({ column: 'TARGET_FIELD_NAME_NAME', asc: true });
  const [offset, setOffset] = useState(0);
  const [list, setList] = useState<ListState>();
  const [loadError, setLoadError] = useState<ApiError>();
  const [editing, setEditing] = useState<Target | 'new'>();
  const [showingKey, setShowingKey] = useState<Target>();

  const load = useCallback(async () => {
    try {
      const answer = await api<{ details?: ListDetails; result?: Target[] }>('POST', '/v3alpha/targets/search', {
        query: { offset: String(offset), limit: PAGE_SIZE, asc: sort.asc },
        sortingColumn: sort.column,
        queries: nameFilter ? [{ targetNameQuery: { targetName: nameFilter, method: 'TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE' } }] : [],
      });
      setList({ targets: answer.result ?? [], total: Number(answer.details?.totalResult ?? 0) });
      setLoadError(undefined);
    } catch (error) {
      if (error instanceof ApiError) setLoadError(error);
    }
  }, [nameFilter, sort, offset]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => setOffset(0), [nameFilter, sort]);

  const toggleSort = (column: SortColumn) => setSort((current) => ({ column, asc: current.column === column ? !current.asc : true }));
  const remove = async (target: Target) => {
    await api('DELETE', `/v3alpha/targets/${encodeURIComponent(target.targetId)}`);
    await load();
  };

  const lastShown = Math.min(offset + PAGE_SIZE, list?.total ?? 0);
  return (
    <section aria-labelledby="targets-title">
      <div className="page-head">
        <h1 id="targets-title">Targets</h1>
        <button type="button" className="button primary" onClick={() => setEditing('new')}>
          New target
        </button>
      </div>
      <p className="lead">A target is an endpoint the service calls when an execution that lists it runs.</p>
      <div className="toolbar">
        <label htmlFor="target-filter">Filter by name</label>
        <input id="target-filter" type="search" value={filter} onChange={(event) => setFilter(event.target.value)} placeholder="part of a name" />
      </div>
      <ErrorText error={loadError} />
      {list === undefined ? (
        <p className="loading" aria-busy="true">Loading targets…</p>
      ) : list.targets.length === 0 ? (
        nameFilter ? (
          <EmptyState title={`No target name contains “${nameFilter}”.`}>Clear the filter to see every target.</EmptyState>
        ) : (
          <EmptyState title="No targets yet.">
            Create one with <strong>New target</strong>: give it a name, the endpoint to call and a timeout. Then set an execution that calls it.
          </EmptyState>
        )
      ) : (
        <>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Target list">
            <table>
              <caption className="visually-hidden">Targets, sorted by {COLUMNS.find((entry) => entry.column === sort.column)?.label}</caption>
              <thead>
                <tr>
                  {COLUMNS.map(({ column, label }) => (
                    <th key={column} scope="col" aria-sort={sort.column === column ? (sort.asc ? 'ascending' : 'descending') : undefined}>
                      <button type="button" className="sort" onClick={() => toggleSort(column)}>
                        {label}
                        <span aria-hidden="true">{sort.column === column ? (sort.asc ? ' ▲' : ' ▼') : ''}</span>
                      </button>
                    </th>
                  ))}
                  <th scope="col">Interrupts on error</th>
                  <th scope="col" className="actions-cell">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.targets.map((target) => (
                  <tr key={target.targetId}>
                    <td data-label="Name">
                      <strong>{target.name}</strong>
                      <div className="muted mono">{target.targetId}</div>
                    </td>
                    <td data-label="Type">{TARGET_TYPES.find((type) => type.value === targetTypeOf(target))?.label}</td>
                    <td data-label="Endpoint" className="mono break">{target.endpoint}</td>
                    <td data-label="Timeout">{target.timeout}</td>
                    <td data-label="Changed">{target.details?.changeDate ? new Date(target.details.changeDate).toLocaleString() : ''}</td>
                    <td data-label="Interrupts on error">{interruptsOnError(target) ? 'Yes' : 'No'}</td>
                    <td className="actions-cell">
                      <div className="row-actions">
                        <button type="button" className="button" onClick={() => setEditing(target)} aria-label={`Edit ${target.name}`}>
                          Edit
                        </button>
                        <button type="button" className="button" onClick={() => setShowingKey(target)} aria-label={`Signing key of ${target.name}`}>
                          Signing key
                        </button>
                        <Confirm
                          trigger={
                            <button type="button" className="button danger" aria-label={`Delete ${target.name}`}>
                              Delete
                            </button>
                          }
                          title={`Delete target ${target.name}?`}
                          description="Executions that call it stop calling it; an execution left with no target is removed."
                          confirmLabel="Delete target"
                          onConfirm={() => remove(target)}
                        />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Target pages">
            <span role="status">
              {offset + 1}–{lastShown} of {list.total}
            </span>
            <button type="button" className="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
              Previous
            </button>
            <button type="button" className="button" disabled={lastShown >= list.total} onClick={() => setOffset(offset + PAGE_SIZE)}>
              Next
            </button>
          </nav>
        </>
      )}
      <Modal open={editing !== undefined} onOpenChange={(open) => !open && setEditing(undefined)} title={editing === 'new' ? 'New target' : `Edit ${editing?.name ?? ''}`}>
        {editing !== undefined ? (
          <TargetForm
            target={editing === 'new' ? undefined : editing}
            onSaved={() => {
              setEditing(undefined);
              void load();
            }}
            onCancel={() => setEditing(undefined)}
          />
        ) : null}
      </Modal>
      <Modal open={showingKey !== undefined} onOpenChange={(open) => !open && setShowingKey(undefined)} title={`Signing key of ${showingKey?.name ?? ''}`}>
        {showingKey !== undefined ? <SigningKey targetId={showingKey.targetId} /> : null}
      </Modal>
    </section>
  );
}

const TARGET_FIELDS = ['name', 'type', 'endpoint', 'timeout'] as const;

function TargetForm({ target, onSaved, onCancel }: { target?: Target; onSaved(): void; onCancel(): void }) {
  const [name, setName] = useState(target?.name ?? '');
  const [type, setType] = useState<TargetType>(target ? targetTypeOf(target) : 'restWebhook');
  const [endpoint, setEndpoint] = useState(target?.endpoint ?? '');
  const [timeout, setTimeoutText] = useState(target?.timeout ?? '10s');
  const [interrupt, setInterrupt] = useState(target ? interruptsOnError(target) : false);
  const [error, setError] = useState<{ field: string; error: ApiError }>();
  const [busy, setBusy] = useState(false);
  const errorFor = (field: string) => (error?.field === field ? error.error : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const body = {
      name,
      endpoint,
      timeout,
      ...(type === 'restAsync' ? { restAsync: {} } : { [type]: { interruptOnError: interrupt } }),
    };
    try {
      if (target) await api('PUT', `/v3alpha/targets/${encodeURIComponent(target.targetId)}`, body);
      else await api('POST', '/v3alpha/targets', body);
      onSaved();
    } catch (caught) {
      const apiError = caught instanceof ApiError ? caught : new ApiError(0, 2, '', String(caught));
      setError({ field: fieldOfError(apiError, TARGET_FIELDS), error: apiError });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="form">
      <Field id="target-name" label="Name" hint="Unique within your instance." error={errorFor('name')}>
        {(describedBy, invalid) => <input id="target-name" value={name} onChange={(event) => setName(event.target.value)} aria-describedby={describedBy} aria-invalid={invalid} autoComplete="off" />}
      </Field>
      <fieldset className={`field${errorFor('type') ? ' field-invalid' : ''}`} aria-describedby={errorFor('type') ? 'target-type-error' : undefined}>
        <legend>Type</legend>
        {TARGET_TYPES.map((option) => (
          <label key={option.value} className="radio">
            <input type="radio" name="target-type" value={option.value} checked={type === option.value} onChange={() => setType(option.value)} />
            <span>
              {option.label} <span className="muted">— {option.help}</span>
            </span>
          </label>
        ))}
        <ErrorText id="target-type-error" error={errorFor('type')} />
      </fieldset>
      <Field id="target-endpoint" label="Endpoint" hint="An absolute http or https URL." error={errorFor('endpoint')}>
        {(describedBy, invalid) => (
          <input id="target-endpoint" type="url" inputMode="url" value={endpoint} onChange={(event) => setEndpoint(event.target.value)} aria-describedby={describedBy} aria-invalid={invalid} placeholder="https://hooks.example.com/audit" autoComplete="off" />
        )}
      </Field>
      <Field id="target-timeout" label="Timeout" hint='Seconds, such as "10s" or "0.5s".' error={errorFor('timeout')}>
        {(describedBy, invalid) => <input id="target-timeout" value={timeout} onChange={(event) => setTimeoutText(event.target.value)} aria-describedby={describedBy} aria-invalid={invalid} autoComplete="off" />}
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={interrupt && type !== 'restAsync'} disabled={type === 'restAsync'} onChange={(event) => setInterrupt(event.target.checked)} />
        Interrupt the request when the target fails {type === 'restAsync' ? <span className="muted">(not for async targets)</span> : null}
      </label>
      <ErrorText error={errorFor(FORM_LEVEL)} />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Saving…' : target ? 'Save target' : 'Create target'}
        </button>
      </div>
    </form>
  );
}
