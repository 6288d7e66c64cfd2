import { randomBytes } from 'node:crypto';
import { SecretBox } from '../common/crypto/secret-box';
import { EventCursors } from './event-cursor';

describe('EventCursors', () => {
  const key = randomBytes(32);
  const cursors = new EventCursors(new SecretBox(key));

  it('gives each position one opaque id per instance, read back only for that instance', () => {
    const cursor = cursors.encode('instance-a', 1835);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(cursor).not.toContain('1835');
    expect(cursors.encode('instance-a', 1835)).toBe(cursor);
    expect(cursors.encode('instance-b', 1835)).not.toBe(cursor);
    expect(cursors.decode('instance-a', cursor)).toBe(1835);
    expect(cursors.decode('instance-b', cursor)).toBeUndefined();
    // A replica with the same key reads it; another key does not.
    expect(new EventCursors(new SecretBox(Buffer.from(key))).decode('instance-a', cursor)).toBe(1835);
    expect(new EventCursors(new SecretBox(randomBytes(32))).decode('instance-a', cursor)).toBeUndefined();
  });

  it('refuses altered and malformed ids', () => {
    const cursor = cursors.encode('instance-a', Number.MAX_SAFE_INTEGER);
    expect(cursors.decode('instance-a', cursor)).toBe(Number.MAX_SAFE_INTEGER);
    const altered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    for (const bad of [altered, '', 'abc', `${cursor}A`, cursor.slice(1), '!'.repeat(22)]) expect(cursors.decode('instance-a', bad)).toBeUndefined();
  });
});
