import type { LoggerOptions } from 'pino';
import { loadConfig } from '../../config';
import { runWithRequestContext } from '../request/request-context';
import { loggingParams } from './logging-params';

describe('loggingParams', () => {
  const [options] = loggingParams(loadConfig({ DATA_DIR: '/tmp/unused' })).pinoHttp as [LoggerOptions, unknown];
  const mixin = options.mixin!;
  const fieldsOf = (): object => mixin({}, 30, undefined as never);

  it('gives records written while a request is served its request id', () => {
    const fields = runWithRequestContext({ correlationId: 'c', causationId: 'c', requestId: 'request-7' }, fieldsOf);
    expect(fields).toEqual({ requestId: 'request-7' });
  });

  it('adds nothing outside a request, nor in work a request id does not name (a subscriber event)', () => {
    expect(fieldsOf()).toEqual({});
    expect(runWithRequestContext({ correlationId: 'c', causationId: 'event-1' }, fieldsOf)).toEqual({});
  });
});
