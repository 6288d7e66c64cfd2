import { RebuildProgressMeter, type RebuildProgress } from './rebuild-progress';

describe('RebuildProgressMeter', () => {
  function meter(overrides: { checkpoint?: number; eventsReduced?: number; intervalMs?: number } = {}) {
    let clock = 0;
    const reports: RebuildProgress[] = [];
    const progress = new RebuildProgressMeter({
      projection: 'executions',
      origin: 1000,
      head: 2000,
      checkpoint: overrides.checkpoint ?? 0,
      eventsReduced: overrides.eventsReduced ?? 0,
      intervalMs: overrides.intervalMs ?? 1000,
      onProgress: (report) => reports.push(report),
      now: () => clock,
    });
    return { progress, reports, tick: (ms: number) => (clock += ms) };
  }

  it('reports the log covered since the first event, the pace and the time left', () => {
    const { progress, reports, tick } = meter();
    progress.enter('replaying');
    tick(2000);
    progress.advance(1250, 100);

    expect(reports).toEqual([
      { projection: 'executions', phase: 'replaying', done: 0, total: 1000, eventsReduced: 0, eventsPerSecond: 0, etaSeconds: null },
      // A quarter of the log in 2 s: 6 s to go; 100 events in 2 s.
      { projection: 'executions', phase: 'replaying', done: 250, total: 1000, eventsReduced: 100, eventsPerSecond: 50, etaSeconds: 6 },
    ]);
  });

  it('reports at most once per interval between phase changes, and done = total at the end', () => {
    const { progress, reports, tick } = meter({ intervalMs: 500 });
    progress.enter('replaying');
    tick(100);
    progress.advance(1100, 10);
    tick(100);
    progress.advance(1200, 10);
    tick(400);
    progress.advance(2500, 10);
    progress.enter('switching');
    progress.enter('done');

    expect(reports.map((report) => [report.phase, report.done])).toEqual([
      ['replaying', 0],
      ['replaying', 1000],
      ['switching', 1000],
      ['done', 1000],
    ]);
    expect(reports[reports.length - 1]).toMatchObject({ etaSeconds: 0, eventsReduced: 30 });
  });

  it('counts a resumed rebuild from its checkpoint, measuring the pace of this call only', () => {
    const { progress, reports, tick } = meter({ checkpoint: 1500, eventsReduced: 400 });
    progress.enter('replaying');
    tick(1000);
    progress.advance(1600, 40);

    expect(reports[0]).toMatchObject({ done: 500, eventsReduced: 400, etaSeconds: null });
    expect(reports[1]).toMatchObject({ done: 600, eventsReduced: 440, eventsPerSecond: 40, etaSeconds: 4 });
  });
});
