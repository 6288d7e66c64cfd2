import { runInNewContext } from 'node:vm';
import { EventStoreUnavailableError } from '@app/event-store';
import { isStoreUnavailable } from './unavailability';

describe('isStoreUnavailable', () => {
  it('recognises the event store and driver errors that mean "try again later"', () => {
    expect(isStoreUnavailable(new EventStoreUnavailableError('down'))).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isStoreUnavailable(new Error('query failed', { cause: Object.assign(new Error('x'), { code: '08006' }) }))).toBe(true);
  });

  it('recognises errors created in another realm, which fail instanceof Error', () => {
    const foreign: unknown = runInNewContext(`Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })`);
    expect(foreign instanceof Error).toBe(false);
    expect(isStoreUnavailable(foreign)).toBe(true);
    expect(isStoreUnavailable({ driverError: foreign })).toBe(true);
  });

  it('does not call bugs or bad queries unavailability', () => {
    expect(isStoreUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isStoreUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isStoreUnavailable('ECONNREFUSED')).toBe(false);
    expect(isStoreUnavailable(null)).toBe(false);
  });
});
