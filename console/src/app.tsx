import { useEffect, useState } from 'react';
import { onUnauthorized } from './api/client';
import { ErrorBoundary } from './components/error-boundary';
import type { SessionStart } from './api/oidc';
import { canManageInstance, canOperate, clearToken, readClaims, signedInAtProvider, storedToken } from './api/session';
import { EventsPage } from './pages/events';
import { ExecutionsPage } from './pages/executions';
import { NeedsSystemOwner, OperationsPage } from './pages/operations';
import { SignInPage } from './pages/sign-in';
import { TargetsPage } from './pages/targets';
import { BASE, PAGES, usePage } from './router';
import { useTheme, type Theme } from './theme';

export function App({ session }: { session: SessionStart }) {
  const { provider } = session;
  const [token, setToken] = useState(storedToken);
  const [expired, setExpired] = useState(session.expired === true);
  const [providerError, setProviderError] = useState(session.signInError);
  const [page, navigate] = usePage();
  const [theme, setTheme] = useTheme();

  useEffect(
    () =>
      onUnauthorized(() => {
        setExpired(true);
        setToken(null);
      }),
    [],
  );
  // The provider's access token expiring (its expires_in) is told here before any call fails with it.
  useEffect(
    () =>
      provider?.onExpired(() => {
        if (!signedInAtProvider()) return;
        clearToken();
        setExpired(true);
        setToken(null);
      }),
    [provider],
  );
  const claims = token ? readClaims(token) : null;
  // The operations page only for the operators' token; an operators' token without a tenant role sees nothing else.
  const offered = PAGES.filter((entry) => (entry.system ? canOperate(claims) : canManageInstance(claims) || !canOperate(claims)));
  const shown = token && !canManageInstance(claims) && canOperate(claims) ? 'operations' : page;
  useEffect(() => {
    document.title = token ? `${PAGES.find((entry) => entry.page === shown)?.label} · Actions console` : 'Sign in · Actions console';
  }, [shown, token]);

  const signOut = () => {
    const atProvider = provider && signedInAtProvider();
    clearToken();
    setExpired(false);
    setProviderError(undefined);
    setToken(null);
    // Ends the provider's session too, where it offers that (the browser leaves and comes back signed out).
    if (atProvider) void provider.signOut().catch(() => undefined);
  };

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Actions console</span>
        {token ? (
          <nav aria-label="Pages">
            <ul>
              {offered.map((entry) => (
                <li key={entry.page}>
                  <a
                    href={`${BASE}/${entry.page}`}
                    aria-current={entry.page === shown ? 'page' : undefined}
                    onClick={(event) => {
                      event.preventDefault();
                      navigate(entry.page);
                    }}
                  >
                    {entry.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        <div className="topbar-end">
          <label className="theme-picker">
            <span className="visually-hidden">Theme</span>
            <select value={theme} onChange={(event) => setTheme(event.target.value as Theme)}>
              <option value="system">System theme</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          {token ? (
            <>
              <span className="who" title={claims?.subject}>
                {claims?.instanceId ?? 'unknown instance'}
                {claims?.roles.length ? ` · ${claims.roles.join(', ')}` : ''}
              </span>
              <button type="button" className="button" onClick={signOut}>
                Sign out
              </button>
            </>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBoundary key={shown}>
        {!token ? (
          <SignInPage
            expired={expired}
            provider={provider}
            providerError={providerError}
            onSignedIn={(next) => {
              setExpired(false);
              setProviderError(undefined);
              setToken(next);
            }}
          />
        ) : shown === 'operations' ? (
          canOperate(claims) ? <OperationsPage /> : <NeedsSystemOwner />
        ) : shown === 'targets' ? (
          <TargetsPage />
        ) : shown === 'executions' ? (
          <ExecutionsPage onGoToTargets={() => navigate('targets')} />
        ) : (
          <EventsPage />
        )}
        </ErrorBoundary>
      </main>
    </>
  );
}
