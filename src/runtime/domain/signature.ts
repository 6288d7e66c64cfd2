import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'ZITADEL-Signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<raw body>")>`, as ZITADEL signs target calls. */
export function signatureHeaderValue(signingKey: string, body: string, now: Date = new Date()): string {
  const timestamp = Math.floor(now.getTime() / 1000);
  const mac = createHmac('sha256', signingKey).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}
