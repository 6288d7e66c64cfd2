import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { EncryptedSecret } from './encrypted-secret';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Thrown when a secret cannot be opened: sealed by another key, or altered. */
export class SecretDecryptionError extends Error {}

/** Seals and opens small secrets (target signing keys) with one AES-256-GCM key. */
export class SecretBox {
  /** Identifies the key without revealing it (first bytes of its SHA-256). */
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error(`An encryption key has ${KEY_BYTES} bytes, got ${key.length}`);
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 11);
  }

  /**
   * A 32-byte key for another use of the same secret (HKDF-SHA256 with `purpose` as info), so
   * each use has a key of its own and replicas sharing ENCRYPTION_KEY_FILE derive the same one.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), purpose, KEY_BYTES));
  }

  seal(plaintext: string): EncryptedSecret {
    const iv = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { alg: 'A256GCM', kid: this.keyId, iv: iv.toString('base64url'), ct: ciphertext.toString('base64url') };
  }

  open(secret: EncryptedSecret): string {
    if (secret.kid !== this.keyId) {
      throw new SecretDecryptionError(`The secret was sealed with encryption key ${secret.kid}, the service has ${this.keyId} (ENCRYPTION_KEY_FILE changed?)`);
    }
    const sealed = Buffer.from(secret.ct, 'base64url');
    if (sealed.length < TAG_BYTES) throw new SecretDecryptionError('The sealed secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(secret.iv, 'base64url'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new SecretDecryptionError('The sealed secret was altered or sealed with another key', { cause });
    }
  }
}

/** Injection token of the service's {@link SecretBox}. */
export const SECRET_BOX = Symbol('SECRET_BOX');
