import { clearToken, storedToken } from './session';

/** An error answer of the API: google.rpc.Status with a zitadel.v1.ErrorDetail id. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

interface StatusBody {
  code?: number;
  message?: string;
  details?: { id?: string; message?: string }[];
}

export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: StatusBody = {};
  try {
    body = (await response.json()) as StatusBody;
  } catch {
    // not JSON: a proxy or a crash; the status line is all there is
  }
  const detail = body.details?.find((entry) => typeof entry.id === 'string');
  return new ApiError(response.status, body.code ?? 2, detail?.id ?? '', detail?.message ?? body.message ?? `HTTP ${response.status} ${response.statusText}`);
}

/** Listeners told when the service refuses the token, so the app can ask for a new one. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function authHeaders(token = storedToken()): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Calls the API on this origin with the session's token; throws ApiError on any error answer. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, token?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { ...authHeaders(token ?? storedToken()), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 14, '', 'The service cannot be reached');
  }
  if (!response.ok) {
    const error = await errorFromResponse(response);
    if (response.status === 401 && token === undefined) {
      clearToken();
      unauthorizedListeners.forEach((listener) => listener());
    }
    throw error;
  }
  return (await response.json()) as T;
}
