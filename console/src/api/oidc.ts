import { ErrorResponse, UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import { CONSOLE_CALLBACK_PATH, CONSOLE_SETTINGS_PATH, CONSOLE_SIGNED_OUT_PATH, type ConsoleSettings } from '../../../src/console/console-settings';
import { BASE } from '../router';
import { registerProviderSession } from './session';

/** Sign-in at the service's OIDC provider: authorization code with PKCE, by oidc-client-ts. */
export interface ProviderSignIn {
  /** The provider's host, to name it on the sign-in button. */
  readonly host: string;
  /** Leaves for the provider's sign-in page; the browser comes back to `returnTo` once signed in. */
  signIn(returnTo: string): Promise<void>;
  /** Forgets the user here, then ends the provider's session where it offers an end-session endpoint. */
  signOut(): Promise<void>;
  /** Told when the access token expires (its `expires_in`), so the console asks to sign in again. */
  onExpired(listener: () => void): () => void;
}

export interface SessionStart {
  provider: ProviderSignIn | null;
  /** Why the sign-in the browser came back from failed (the provider's error or a missing state). */
  signInError?: string;
  /** The tab's user had an access token that has expired since: it is forgotten, and the page asks again. */
  expired?: boolean;
}

async function readSettings(): Promise<ConsoleSettings> {
  try {
    const response = await fetch(CONSOLE_SETTINGS_PATH);
    if (response.ok) return (await response.json()) as ConsoleSettings;
  } catch {
    // the service is unreachable: the sign-in page says so on the first call
  }
  return { oidc: null };
}

/** Only a page of the console is a place to return to; anything else would be an open redirect. */
function returnPath(candidate: string | undefined): string {
  return candidate && candidate.startsWith(`${BASE}/`) && candidate !== CONSOLE_CALLBACK_PATH && candidate !== CONSOLE_SIGNED_OUT_PATH ? candidate : `${BASE}/`;
}

/**
 * Reads the console's settings and, with an OIDC provider, finishes a sign-in or sign-out the
 * browser is coming back from, and picks up the user of this tab. Run once before the first render.
 */
export async function startSession(): Promise<SessionStart> {
  const { oidc } = await readSettings();
  const path = location.pathname;
  if (!oidc) {
    if (path === CONSOLE_CALLBACK_PATH || path === CONSOLE_SIGNED_OUT_PATH) history.replaceState(null, '', `${BASE}/`);
    return { provider: null };
  }
  // The user and the sign-in state live in this tab's session storage only, like a pasted token.
  const manager = new UserManager({
    authority: oidc.issuer,
    client_id: oidc.clientId,
    scope: oidc.scope,
    response_type: 'code',
    redirect_uri: `${location.origin}${CONSOLE_CALLBACK_PATH}`,
    post_logout_redirect_uri: `${location.origin}${CONSOLE_SIGNED_OUT_PATH}`,
    userStore: new WebStorageStateStore({ store: sessionStorage }),
    stateStore: new WebStorageStateStore({ store: sessionStorage }),
    // No hidden renewal: when the token expires the console asks, so nothing can loop through the provider.
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
  });
  let user: User | null = null;
  let signInError: string | undefined;
  const host = new URL(oidc.issuer).host;
  if (path === CONSOLE_CALLBACK_PATH) {
    try {
      user = await manager.signinRedirectCallback();
      history.replaceState(null, '', returnPath(user.url_state));
    } catch (error) {
      signInError = `Signing in at ${host} failed: ${error instanceof ErrorResponse ? (error.error_description ?? error.error ?? error.message) : String(error instanceof Error ? error.message : error)}`;
      history.replaceState(null, '', `${BASE}/`);
    }
  } else if (path === CONSOLE_SIGNED_OUT_PATH) {
    await manager.signoutRedirectCallback().catch(() => undefined);
    history.replaceState(null, '', `${BASE}/`);
  } else {
    user = await manager.getUser();
  }
  const expired = user?.expired === true;
  if (expired) {
    user = null;
    await manager.removeUser();
  }

  registerProviderSession({
    token: () => user?.access_token ?? null,
    forget: () => {
      user = null;
      void manager.removeUser();
    },
  });
  const provider: ProviderSignIn = {
    host,
    signIn: (returnTo) => manager.signinRedirect({ url_state: returnPath(returnTo) }),
    async signOut() {
      const idToken = user?.id_token;
      user = null;
      await manager.removeUser();
      if (await manager.metadataService.getEndSessionEndpoint()) {
        await manager.signoutRedirect({ id_token_hint: idToken });
      }
    },
    onExpired: (listener) => manager.events.addAccessTokenExpired(listener),
  };
  return { provider, expired, ...(signInError === undefined ? {} : { signInError }) };
}
