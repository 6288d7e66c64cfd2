import { RebuildProgressMeter, type RebuildProgress } from './rebuild-progress';

describe('RebuildProgressMeter', () => {
  function meter(overrides: { eventsReduced?: number; intervalMs?: number } = {}) {
    let clock = 0;
    const reports: RebuildProgress[] = [];
    const progress = new RebuildProgressMeter({
      projection: 'executions',
      totalEvents: 1000,
      eventsReduced: overrides.eventsReduced ?? 0,
      intervalMs: overrides.intervalMs ?? 1000,
      onProgress: (report) => reports.push(report),
      now: () => clock,
    });
    return { progress, reports, tick: (ms: number) => (clock += ms) };
  }

  it('reports the events reduced out of those to reduce, the pace and the time left', () => {
    const { progress, reports, tick } = meter();
    progress.enter('replaying');
    tick(2000);
    progress.advance(250);

    expect(reports).toEqual([
      { projection: 'executions', phase: 'replaying', done: 0, total: 1000, eventsReduced: 0, eventsPerSecond: 0, etaSeconds: null },
      // A quarter in 2 s: 6 s to go.
      { projection: 'executions', phase: 'replaying', done: 250, total: 1000, eventsReduced: 250, eventsPerSecond: 125, etaSeconds: 6 },
    ]);
  });

  it('reports at most once per interval between phase changes, and done = total at the end', () => {
    const { progress, reports, tick } = meter({ intervalMs: 500 });
    progress.enter('replaying');
    tick(100);
    progress.advance(100);
    tick(100);
    progress.advance(100);
    tick(400);
    // Events appended during the rebuild are reduced too, but do not move the goal.
    progress.advance(900);
    progress.enter('switching');
    progress.enter('done');

    expect(reports.map((report) => [report.phase, report.done])).toEqual([
      ['replaying', 0],
      ['replaying', 1000],
      ['switching', 1000],
      ['done', 1000],
    ]);
    expect(reports[reports.length - 1]).toMatchObject({ etaSeconds: 0, eventsReduced: 1100 });
  });

  it('counts a resumed rebuild from what it had reduced, measuring the pace of this call only', () => {
    const { progress, reports, tick } = meter({ eventsReduced: 500 });
    progress.enter('replaying');
    tick(1000);
    progress.advance(100);

    expect(reports[0]).toMatchObject({ done: 500, eventsReduced: 500, etaSeconds: null });
    expect(reports[1]).toMatchObject({ done: 600, eventsReduced: 600, eventsPerSecond: 100, etaSeconds: 4 });
  });
});
