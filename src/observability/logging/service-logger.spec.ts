import { Writable } from 'node:stream';
import pino from 'pino';
import { ServiceLogger } from './service-logger';

function capture(level: pino.Level = 'info'): { logger: ServiceLogger; records: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: new ServiceLogger(pino({ level, base: undefined, timestamp: false }, sink)), records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('ServiceLogger', () => {
  it("writes Nest's module, controller and route lines at debug, other components' lines at info", () => {
    const { logger, records } = capture('info');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/v3alpha/targets, POST} route', 'RouterExplorer');
    logger.log('TargetsController {/v3alpha/targets}:', 'RoutesResolver');
    logger.log('Projections started', 'Projections');
    expect(records()).toEqual([{ level: 30, context: 'Projections', msg: 'Projections started' }]);

    const verbose = capture('debug');
    verbose.logger.log('AppModule dependencies initialized', 'InstanceLoader');
    expect(verbose.records()).toEqual([{ level: 20, context: 'InstanceLoader', msg: 'AppModule dependencies initialized' }]);
  });

  it('keeps fields structured and a stack apart', () => {
    const { logger, records } = capture();
    logger.log({ projections: ['executions'] }, 'Projections started', 'Projections');
    logger.error('closing failed', 'Error: boom\n    at here', 'Shutdown');
    expect(records()).toEqual([
      { level: 30, context: 'Projections', projections: ['executions'], msg: 'Projections started' },
      { level: 50, context: 'Shutdown', stack: 'Error: boom\n    at here', msg: 'closing failed' },
    ]);
  });
});
