import type { ApiClient, ErrorBody } from '../../bench/support/api-client';
import { streamName } from '../../src/common/domain/stream-name';
import { ExecutionTargetKind } from '../../src/executions/domain/execution-events';
import { reportFigures } from './support/report';
import { ServiceUnderTest } from './support/service-under-test';

/** Longest a SetExecution over a wide include graph may take on this (shared, slow) machine. */
const ANSWER_BOUND_MS = 3_000;
/** Longest /healthz may take while it runs: the process must not stall. */
const HEALTH_BOUND_MS = 1_000;

const event = (name: string): { event: { event: string } } => ({ event: { event: name } });
const includeOf = (name: string): { include: { event: { event: string } } } => ({ include: event(name) });
const times = <T>(count: number, make: (index: number) => T): T[] => Array.from({ length: count }, (_, index) => make(index));

/** Calls /healthz every 20 ms while `work` runs; answers the work's result and the slowest health answer. */
async function withHealthProbe<T>(sut: ServiceUnderTest, work: () => Promise<T>): Promise<{ result: T; slowestHealthMs: number; probes: number }> {
  let running = true;
  let slowestHealthMs = 0;
  let probes = 0;
  const probe = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${sut.baseUrl}/healthz`, { signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`/healthz answered ${response.status}`);
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - started);
      probes += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    return { result: await work(), slowestHealthMs, probes };
  } finally {
    running = false;
    await probe;
  }
}

describe('include fan-out, built service on SQLite', () => {
  let sut: ServiceUnderTest;
  let api: ApiClient;

  beforeAll(async () => {
    // A cap above the default shows the setting reaches the service.
    sut = await ServiceUnderTest.start('sqlite', { env: { MAX_TARGETS_PER_EXECUTION: '120' } });
    api = await sut.client('fault-include-fan-out');
    const targetId = await api.createTarget('fan-out-hook');
    expect((await api.request('PUT', '/v3alpha/executions', { condition: event('fan.a'), targets: [{ target: targetId }] })).status).toBe(200);
  });
  afterAll(() => sut.close());

  it('refuses the fan-out body (an include listed 100 times over history listing includes 100 times) at once, storing nothing, while /healthz answers', async () => {
    // History written before repeats were refused: b lists a 100 times, c lists b 100 times.
    const log = await sut.log();
    for (const [id, included] of [['event/fan.b', 'event/fan.a'], ['event/fan.c', 'event/fan.b']]) {
      await log.append(streamName('execution', api.instanceId, id), [
        { type: 'execution.v2.set', data: { targets: times(100, () => ({ type: ExecutionTargetKind.Include, target: included })) }, tenant: api.instanceId },
      ], { expectedRevision: 'no_stream' });
    }
    const body = { condition: event('fan.d'), targets: times(100, () => includeOf('fan.c')) };
    expect(JSON.stringify(body).length).toBeGreaterThan(4_000);

    const { result: refused, slowestHealthMs } = await withHealthProbe(sut, () => api.request<ErrorBody>('PUT', '/v3alpha/executions', body));
    expect({ status: refused.status, code: refused.body.code, id: refused.body.details[0].id }).toEqual({ status: 400, code: 3, id: 'COMMAND-uswx8q3be8' });
    expect(refused.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(slowestHealthMs).toBeLessThan(HEALTH_BOUND_MS);

    // Including c once walks the same history: each execution is loaded once.
    const { result: accepted, slowestHealthMs: slowestDuringWalk } = await withHealthProbe(sut, () =>
      api.request('PUT', '/v3alpha/executions', { condition: event('fan.e'), targets: [includeOf('fan.c')] }),
    );
    expect(accepted.status).toBe(200);
    expect(accepted.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(slowestDuringWalk).toBeLessThan(HEALTH_BOUND_MS);
    reportFigures('include fan-out (SQLite)', { refusedFanOutBodyMs: Math.round(refused.ms), walkOverFanOutHistoryMs: Math.round(accepted.ms), slowestHealthMs: Math.round(Math.max(slowestHealthMs, slowestDuringWalk)) });

    const stored = await sut.settledEvents({ tenant: api.instanceId, typePrefixes: ['execution.'] });
    expect(stored.filter((stored) => stored.stream === streamName('execution', api.instanceId, 'event/fan.d'))).toEqual([]);
  });

  it('answers a set over 100 x 100 distinct includes within a bound, and refuses a list above the configured cap', async () => {
    // w0..w99 each include fan.a; v0..v99 each include all of w0..w99; the new execution includes all v.
    for (const index of times(100, (index) => index)) {
      expect((await api.request('PUT', '/v3alpha/executions', { condition: event(`fan.w${index}`), targets: [includeOf('fan.a')] })).status).toBe(200);
    }
    const allW = times(100, (index) => includeOf(`fan.w${index}`));
    for (const index of times(100, (index) => index)) {
      expect((await api.request('PUT', '/v3alpha/executions', { condition: event(`fan.v${index}`), targets: allW })).status).toBe(200);
    }
    const { result: wide, slowestHealthMs, probes } = await withHealthProbe(sut, () =>
      api.request('PUT', '/v3alpha/executions', { condition: event('fan.top'), targets: times(100, (index) => includeOf(`fan.v${index}`)) }),
    );
    expect(wide.status).toBe(200);
    expect(wide.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(slowestHealthMs).toBeLessThan(HEALTH_BOUND_MS);
    reportFigures('include fan-out, 100 x 100 distinct (SQLite)', { setMs: Math.round(wide.ms), slowestHealthMs: Math.round(slowestHealthMs), healthProbes: probes });

    const tooMany = await api.request<ErrorBody>('PUT', '/v3alpha/executions', { condition: event('fan.many'), targets: times(121, (index) => includeOf(`fan.w${index % 100}.${index}`)) });
    expect({ status: tooMany.status, id: tooMany.body.details[0].id, message: tooMany.body.details[0].message }).toEqual({
      status: 400,
      id: 'COMMAND-yb90lkf00w',
      message: 'targets may list at most 120 entries',
    });
    const stored = await sut.settledEvents({ tenant: api.instanceId, typePrefixes: ['execution.'] });
    expect(stored.filter((stored) => stored.stream === streamName('execution', api.instanceId, 'event/fan.many'))).toEqual([]);
  });
});
