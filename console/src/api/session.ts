// The token lives in sessionStorage only: it is gone when the tab closes, and sign-out clears it.
// A pasted token is kept under this key; a signed-in provider user is kept by oidc-client-ts.
const TOKEN_KEY = 'actions-console.token';

/** The access token of the OIDC provider's user of this tab, registered at start when a provider is configured. */
interface ProviderSession {
  token(): string | null;
  /** Forgets the user here (removing it from session storage), without leaving the page. */
  forget(): void;
}
let providerSession: ProviderSession | undefined;

export function registerProviderSession(session: ProviderSession): void {
  providerSession = session;
}

export interface TokenClaims {
  instanceId?: string;
  subject?: string;
  roles: string[];
  /** The token's `permissions` claim, granted as they are. */
  permissions: string[];
  expiresAt?: Date;
}

/** The role of the service's operators; the operations pages and endpoints need it (or its `system.*` permissions). */
export const SYSTEM_ROLE = 'SYSTEM_OWNER';

/** The token opens the operations endpoints (decided by the service; this only picks what the console offers). */
export function canOperate(claims: TokenClaims | null): boolean {
  return Boolean(claims && (claims.roles.includes(SYSTEM_ROLE) || claims.permissions.some((permission) => permission.startsWith('system.'))));
}

/** The token may reach an instance's targets, executions and events: any role or permission besides the system ones. */
export function canManageInstance(claims: TokenClaims | null): boolean {
  return Boolean(claims && (claims.roles.some((role) => role !== SYSTEM_ROLE) || claims.permissions.some((permission) => !permission.startsWith('system.'))));
}

/** The token sent as Bearer: a pasted one, else the provider user's access token. */
export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY) ?? providerSession?.token() ?? null;
}

/** The session's token came from signing in at the OIDC provider (not pasted). */
export function signedInAtProvider(): boolean {
  return sessionStorage.getItem(TOKEN_KEY) === null && Boolean(providerSession?.token());
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  providerSession?.forget();
}

function base64UrlDecode(part: string): string {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  return new TextDecoder().decode(Uint8Array.from(atob(base64), (char) => char.charCodeAt(0)));
}

/**
 * What the token says about its holder, for display only: the service verifies the signature.
 * Returns null for text that is not a JWT.
 */
export function readClaims(token: string): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(base64UrlDecode(parts[1])) as Record<string, unknown>;
    const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : []);
    const roles = strings(payload.roles);
    return {
      instanceId: typeof payload.instance_id === 'string' ? payload.instance_id : undefined,
      subject: typeof payload.sub === 'string' ? payload.sub : undefined,
      roles,
      permissions: strings(payload.permissions),
      expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : undefined,
    };
  } catch {
    return null;
  }
}
