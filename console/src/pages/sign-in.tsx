import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client';
import type { ProviderSignIn } from '../api/oidc';
import { canManageInstance, canOperate, readClaims, storeToken } from '../api/session';
import { ErrorText, Field } from '../components/form';
import { tokenCommand } from '../../../src/auth/token-command';

export const TOKEN_COMMAND = tokenCommand('<instance-id>', 'IAM_OWNER');

interface SignInProps {
  expired: boolean;
  /** The service's OIDC provider, or null: pasting a token is the only way in (the embedded quick start). */
  provider: ProviderSignIn | null;
  /** Why the last sign-in at the provider failed. */
  providerError?: string;
  onSignedIn(token: string): void;
}

/** Leaves for the provider's sign-in page; the browser comes back to /console/callback. */
function ProviderButton({ provider, error }: { provider: ProviderSignIn; error?: string }) {
  const [failure, setFailure] = useState(error);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    setFailure(undefined);
    try {
      await provider.signIn(location.pathname);
    } catch (caught) {
      setFailure(`${provider.host} cannot be reached: ${caught instanceof Error ? caught.message : String(caught)}`);
      setBusy(false);
    }
  };
  return (
    <div className="provider-sign-in">
      <p>Sign in with your account at the service's identity provider; the console then calls the service with the access token it issues.</p>
      <ErrorText id="provider-error" error={failure ? new ApiError(0, 16, '', failure) : undefined} />
      <button type="button" className="button primary" onClick={() => void start()} disabled={busy} aria-busy={busy} aria-describedby={failure ? 'provider-error' : undefined}>
        {busy ? `Opening ${provider.host}…` : `Sign in with ${provider.host}`}
      </button>
    </div>
  );
}

export function SignInPage({ expired, provider, providerError, onSignedIn }: SignInProps) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = token.trim();
    const claims = readClaims(trimmed);
    if (!claims) {
      setError(new ApiError(0, 3, '', `This is not a token: paste the whole ${provider ? 'access token' : 'output of the command above'} (three parts separated by dots)`));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      // One cheap read proves the service accepts the token before the console shows anything;
      // an operators' token without a tenant role is proven on the operations endpoints.
      if (canOperate(claims) && !canManageInstance(claims)) await api('GET', '/system/v1/projections', undefined, trimmed);
      else await api('POST', '/v3alpha/targets/search', { query: { limit: 1 } }, trimmed);
      storeToken(trimmed);
      onSignedIn(trimmed);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, 2, '', String(caught)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      {expired ? (
        <p className="notice" role="status">
          The service no longer accepts your token (it may have expired). {provider ? 'Sign in again.' : 'Paste a new one.'}
        </p>
      ) : null}
      {provider ? (
        <>
          <ProviderButton provider={provider} error={providerError} />
          <h2>Or paste a token</h2>
          <p>Paste an access token {provider.host} issued for this service.</p>
        </>
      ) : (
        <>
          <p>Paste a bearer token of your instance. With the service's embedded key pair (the quick start), this command prints one:</p>
          <pre className="command" tabIndex={0} aria-label="CLI command">
            <code>{TOKEN_COMMAND}</code>
          </pre>
        </>
      )}
      <p className="hint">The token stays in this browser tab only (session storage) and is removed when you sign out or close the tab.</p>
      <form onSubmit={submit} noValidate>
        <Field id="token" label="Token" error={error}>
          {(describedBy, invalid) => (
            <textarea
              id="token"
              name="token"
              rows={4}
              spellCheck={false}
              autoComplete="off"
              value={token}
              onChange={(event) => setToken(event.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              required
            />
          )}
        </Field>
        <button type="submit" className={provider ? 'button' : 'button primary'} disabled={busy} aria-busy={busy}>
          {busy ? 'Checking…' : provider ? 'Sign in with this token' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
