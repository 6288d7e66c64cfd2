import { loadConfig } from '../../config';
import { runWithRequestContext } from '../request/request-context';
import { loggerOptions, resolveLogFormat } from './root-logger';

describe('the root logger', () => {
  const options = loggerOptions(loadConfig({ DATA_DIR: '/tmp/unused' }));
  const fieldsOf = (): object => options.mixin!({}, 30, undefined as never);

  it('gives records written while a request is served its request id', () => {
    const fields = runWithRequestContext({ correlationId: 'c', causationId: 'c', requestId: 'request-7' }, fieldsOf);
    expect(fields).toEqual({ requestId: 'request-7' });
  });

  it('adds nothing outside a request, nor in work a request id does not name (a subscriber event)', () => {
    expect(fieldsOf()).toEqual({});
    expect(runWithRequestContext({ correlationId: 'c', causationId: 'event-1' }, fieldsOf)).toEqual({});
  });

  it('writes ISO 8601 times', () => {
    const time = (options.timestamp as () => string)();
    expect(time).toMatch(/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
  });

  it('writes pretty lines on a terminal and JSON elsewhere, unless LOG_FORMAT says', () => {
    expect(resolveLogFormat(undefined, true)).toBe('pretty');
    expect(resolveLogFormat(undefined, false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});
