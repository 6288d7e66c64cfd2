import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../common/crypto/secret-box';

const BLOCK_BYTES = 16;
const TAG_BYTES = 8;

/**
 * The ids of event-stream messages: an event's log position sealed for the tenant that reads
 * it, so a client can resume exactly after it (Last-Event-ID) but cannot tell from its ids how
 * far the log shared with other tenants has moved, nor use another tenant's ids.
 *
 * A cursor is one AES block, [position (8 bytes) | tag of the tenant (8 bytes)], encrypted with
 * a key derived from the service's encryption key: a keyed permutation of one block, so each
 * event keeps one id, ids reveal nothing of positions or their order, and a forged or foreign
 * cursor fails the tag check (2^-64). Replicas sharing ENCRYPTION_KEY_FILE read each other's.
 */
export class EventCursors {
  private readonly cipherKey: Buffer;
  private readonly tagKey: Buffer;

  constructor(secrets: SecretBox) {
    this.cipherKey = secrets.deriveKey('event-stream cursor: cipher');
    this.tagKey = secrets.deriveKey('event-stream cursor: tenant tag');
  }

  encode(tenant: string, position: number): string {
    const block = Buffer.alloc(BLOCK_BYTES);
    block.writeBigUInt64BE(BigInt(position), 0);
    this.tenantTag(tenant).copy(block, BLOCK_BYTES - TAG_BYTES);
    const cipher = createCipheriv('aes-256-ecb', this.cipherKey, null).setAutoPadding(false);
    return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64url');
  }

  /** The position a cursor of `tenant` names, or undefined for anything else. */
  decode(tenant: string, cursor: string): number | undefined {
    if (!/^[A-Za-z0-9_-]{22}$/.test(cursor)) return undefined;
    const sealed = Buffer.from(cursor, 'base64url');
    if (sealed.length !== BLOCK_BYTES) return undefined;
    const decipher = createDecipheriv('aes-256-ecb', this.cipherKey, null).setAutoPadding(false);
    const block = Buffer.concat([decipher.update(sealed), decipher.final()]);
    if (!timingSafeEqual(block.subarray(BLOCK_BYTES - TAG_BYTES), this.tenantTag(tenant))) return undefined;
    const position = block.readBigUInt64BE(0);
    return position <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(position) : undefined;
  }

  private tenantTag(tenant: string): Buffer {
    return createHmac('sha256', this.tagKey).update(tenant, 'utf8').digest().subarray(0, TAG_BYTES);
  }
}
