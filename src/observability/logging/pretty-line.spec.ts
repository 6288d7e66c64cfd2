import { prettyLine } from './pretty-line';

describe('prettyLine', () => {
  const time = '2026-12-03T07:31:15.805Z';

  it('shows time, level, context and message, then the other fields', () => {
    const line = prettyLine({ level: 30, time, pid: 1, hostname: 'h', context: 'Projections', projections: ['executions'], msg: 'Projections started' }, false);
    expect(line).toBe(`${time} INFO  [Projections] Projections started projections=["executions"]\n`);
  });

  it('shows a request as method, URL, status and duration, with its request id and caller', () => {
    const line = prettyLine(
      { level: 40, time, requestId: 'r-1', req: { method: 'GET', url: '/v3alpha/targets/1' }, res: { statusCode: 404 }, responseTime: 3, caller: { sub: 'u', instance: 'i' }, msg: 'request completed' },
      false,
    );
    expect(line).toBe(`${time} WARN  request completed GET /v3alpha/targets/1 404 3ms requestId=r-1 caller={"sub":"u","instance":"i"}\n`);
  });

  it('puts an error stack on the lines below', () => {
    const line = prettyLine({ level: 50, time, msg: 'failed', err: { message: 'boom', stack: 'Error: boom\n    at here' } }, false);
    expect(line).toBe(`${time} ERROR failed\nError: boom\n    at here\n`);
  });

  it('colours the level on a terminal', () => {
    expect(prettyLine({ level: 50, time, msg: 'failed' }, true)).toContain('\x1b[31mERROR\x1b[0m');
  });
});
