import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';

/** The API's message and error id, announced to screen readers. */
export function ErrorText({ id, error }: { id?: string; error: ApiError | undefined }) {
  if (!error) return null;
  return (
    <p id={id} className="field-error" role="alert">
      {error.message}
      {error.id ? <code className="error-id">{error.id}</code> : null}
    </p>
  );
}

interface FieldProps {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: ApiError;
  children: (describedBy: string | undefined, invalid: boolean) => ReactNode;
}

/** A labelled control with its hint and, beside it, the API error that concerns it. */
export function Field({ id, label, hint, error, children }: FieldProps) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(describedBy, Boolean(error))}
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <ErrorText id={`${id}-error`} error={error} />
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      <div>{children}</div>
    </div>
  );
}
