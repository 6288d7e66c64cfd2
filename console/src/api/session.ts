// The token lives in sessionStorage only: it is gone when the tab closes, and sign-out clears it.
const TOKEN_KEY = 'actions-console.token';

export interface TokenClaims {
  instanceId?: string;
  subject?: string;
  roles: string[];
  expiresAt?: Date;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
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
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((role): role is string => typeof role === 'string') : [];
    return {
      instanceId: typeof payload.instance_id === 'string' ? payload.instance_id : undefined,
      subject: typeof payload.sub === 'string' ? payload.sub : undefined,
      roles,
      expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : undefined,
    };
  } catch {
    return null;
  }
}
