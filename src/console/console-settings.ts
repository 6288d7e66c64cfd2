import type { AppConfig } from '../config/app-config';

/** The address the console reads its settings from, at start, before it shows anything. */
export const CONSOLE_SETTINGS_PATH = '/console/config.json';

/** The page the OIDC provider sends the browser back to after sign-in (register it at the provider). */
export const CONSOLE_CALLBACK_PATH = '/console/callback';
/** The page the provider sends the browser back to after its sign-out (register it too, where the provider asks). */
export const CONSOLE_SIGNED_OUT_PATH = '/console/signed-out';

/** What the console needs to know of the service's configuration; no secret is in it. */
export interface ConsoleSettings {
  /** Sign-in at the OIDC provider, or null: a pasted token is the only way in. */
  oidc: { issuer: string; clientId: string; scope: string } | null;
}

export function consoleSettings(config: Pick<AppConfig, 'consoleOidc'>): ConsoleSettings {
  return { oidc: config.consoleOidc ? { ...config.consoleOidc } : null };
}
