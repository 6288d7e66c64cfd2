import { ApiError } from '../../common/errors/api-error';
import { TargetAggregate } from './target.aggregate';
import { TARGET_ADDED, TARGET_CHANGED, TARGET_REMOVED, TargetType } from './target-events';
import { TargetNameReservation } from './target-name.aggregate';

const sealed = { alg: 'A256GCM', kid: 'k', iv: 'iv', ct: 'ct' } as const;
const spec = { name: 'hook', targetType: TargetType.Webhook, endpoint: 'https://example.com/hook', timeout: 10_000_000_000, interruptOnError: true };

const errorIdOf = (action: () => void): string | undefined => {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error.id;
    throw error;
  }
};

describe('TargetAggregate', () => {
  it('records target.added with the spec payload', () => {
    const target = new TargetAggregate('1');
    target.add(spec, sealed);
    expect(target.pendingEvents).toEqual([{ type: TARGET_ADDED, data: { ...spec, signingKey: sealed } }]);
  });

  it.each<[string, Partial<typeof spec>, string]>([
    ['an empty name', { name: '' }, 'COMMAND-ddqbm9us5p'],
    ['a blank name', { name: '  ' }, 'COMMAND-ddqbm9us5p'],
    ['no timeout', { timeout: undefined }, 'COMMAND-39f35d8uri'],
    ['a zero timeout', { timeout: 0 }, 'COMMAND-39f35d8uri'],
    ['a relative endpoint', { endpoint: '/hook' }, 'COMMAND-1r2k6qo6wg'],
    ['a non-http endpoint', { endpoint: 'ftp://example.com' }, 'COMMAND-1r2k6qo6wg'],
    ['no endpoint', { endpoint: undefined }, 'COMMAND-1r2k6qo6wg'],
  ])('refuses to add a target with %s', (_case, override, id) => {
    expect(errorIdOf(() => new TargetAggregate('1').add({ ...spec, ...override }, sealed))).toBe(id);
  });

  it('never lets an async target interrupt', () => {
    const target = new TargetAggregate('1');
    target.add({ ...spec, targetType: TargetType.Async, interruptOnError: true }, sealed);
    expect(target.state?.interruptOnError).toBe(false);
  });

  it('records only changed fields, and nothing for a no-op change', () => {
    const target = new TargetAggregate('1');
    target.add(spec, sealed);
    target.change({ name: 'hook', endpoint: 'https://example.com/other' });
    target.change({ timeout: spec.timeout });
    target.change({ targetType: TargetType.Async });
    expect(target.pendingEvents.slice(1)).toEqual([
      { type: TARGET_CHANGED, data: { endpoint: 'https://example.com/other' } },
      { type: TARGET_CHANGED, data: { targetType: TargetType.Async, interruptOnError: false } },
    ]);
  });

  it('replaces the signing key with target.changed and keeps it across field changes', () => {
    const target = new TargetAggregate('1');
    target.add(spec, sealed);
    target.change({ name: 'renamed' });
    expect(target.signingKey).toEqual(sealed);
    const next = { ...sealed, ct: 'other' };
    target.setSigningKey(next);
    expect(target.pendingEvents.at(-1)).toEqual({ type: TARGET_CHANGED, data: { signingKey: next } });
    expect(target.signingKey).toEqual(next);
    target.remove();
    expect(target.signingKey).toBeUndefined();
    expect(errorIdOf(() => target.setSigningKey(next))).toBe('COMMAND-xj14f2cccn');
  });

  it('answers not found for changes and removals of a missing or removed target', () => {
    const target = new TargetAggregate('1');
    expect(errorIdOf(() => target.change({ name: 'x' }))).toBe('COMMAND-xj14f2cccn');
    expect(errorIdOf(() => target.remove())).toBe('COMMAND-k4s7ucu0ax');
    target.add(spec, sealed);
    target.remove();
    expect(target.pendingEvents.at(-1)).toEqual({ type: TARGET_REMOVED, data: {} });
    expect(errorIdOf(() => target.remove())).toBe('COMMAND-k4s7ucu0ax');
  });
});

describe('TargetNameReservation', () => {
  it('lets one target hold a name until it releases it', () => {
    const name = new TargetNameReservation('hook');
    name.reserve('a');
    name.reserve('a');
    expect(errorIdOf(() => name.reserve('b'))).toBe('INSTANCE-9axkz0jvzm');
    name.release('b');
    expect(name.heldBy).toBe('a');
    name.release('a');
    name.reserve('b');
    expect(name.heldBy).toBe('b');
    expect(name.pendingEvents).toHaveLength(3);
  });
});
