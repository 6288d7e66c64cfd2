/**
 * A secret as events and read models keep it: AES-256-GCM ciphertext (auth tag appended), its
 * nonce, and the id of the key that sealed it, so a changed key is reported instead of
 * producing garbage. Base64url throughout.
 */
export interface EncryptedSecret {
  alg: 'A256GCM';
  kid: string;
  iv: string;
  ct: string;
  [key: string]: string;
}

/** Reads a stored value back; undefined for anything that is not an {@link EncryptedSecret}. */
export function readEncryptedSecret(value: unknown): EncryptedSecret | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { alg, kid, iv, ct } = value as Record<string, unknown>;
  if (alg !== 'A256GCM' || typeof kid !== 'string' || typeof iv !== 'string' || typeof ct !== 'string') return undefined;
  return { alg, kid, iv, ct };
}
