import type { StoredEvent } from '@app/event-store';
import type { ApiClient, DetailsJson } from '../../bench/support/api-client';
import type { StoreKind } from '../../bench/support/storage';
import { liveReadModelRows, replayedReadModelRows } from './support/read-model-replay';
import { reportFigures } from './support/report';
import { ServiceUnderTest } from './support/service-under-test';
import { runWriteCycles, type Attempt } from './support/write-cycles';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The events each attempted request caused, by its request id (the events' correlation id). */
function eventsByRequest(events: readonly StoredEvent[]): Map<string, StoredEvent[]> {
  const byRequest = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const requestId = String(event.metadata.correlationId);
    byRequest.set(requestId, [...(byRequest.get(requestId) ?? []), event]);
  }
  return byRequest;
}

describe.each<StoreKind>(['sqlite', 'postgres'])('kill -9 of the service during sustained writes (%s)', (kind) => {
  let sut: ServiceUnderTest;

  beforeAll(async () => {
    sut = await ServiceUnderTest.start(kind);
  });
  afterAll(() => sut.close());

  it('keeps every acknowledged write, stores nothing phantom or twice, and rebuilds the same read model after a restart', async () => {
    const api: ApiClient = await sut.client(`fault-kill-${kind}`);
    const targetIds = [await api.createTarget('hook-a'), await api.createTarget('hook-b')];
    const setup = new Set((await sut.settledEvents({ tenant: api.instanceId })).map((event) => event.id));

    const stop = new AbortController();
    const writing = runWriteCycles(api, targetIds, 8, stop.signal);
    await sleep(1_500);
    const killed = await sut.process.kill();
    stop.abort();
    const attempts: Attempt[] = await writing;
    expect(killed.signal).toBe('SIGKILL');

    const acknowledged = attempts.filter((attempt) => attempt.status === 200);
    const refused = attempts.filter((attempt) => attempt.status !== undefined && attempt.status !== 200);
    const unanswered = attempts.filter((attempt) => attempt.status === undefined);
    expect(acknowledged.length).toBeGreaterThan(50);
    // Only lost races with nothing to delete could be refused; these clients never race.
    expect(refused).toEqual([]);

    const events = (await sut.settledEvents({ tenant: api.instanceId })).filter((event) => !setup.has(event.id));
    const byRequest = eventsByRequest(events);
    const attempted = new Map(attempts.map((attempt) => [attempt.requestId, attempt]));
    // Nothing phantom: every event comes from a request a client sent.
    expect([...byRequest.keys()].filter((requestId) => !attempted.has(requestId))).toEqual([]);
    // Nothing doubled: one write, at most one event.
    expect([...byRequest.entries()].filter(([, caused]) => caused.length > 1).map(([requestId]) => requestId)).toEqual([]);
    // Nothing lost: every 200 is in the log, as the event its answer named.
    for (const attempt of acknowledged) {
      const [event] = byRequest.get(attempt.requestId) ?? [];
      expect({ requestId: attempt.requestId, type: event?.type, sequence: event ? event.revision + 1 : undefined }).toEqual({
        requestId: attempt.requestId,
        type: attempt.kind === 'set' ? 'execution.v2.set' : 'execution.removed',
        sequence: attempt.sequence,
      });
    }
    // The rest of the log: writes that were in flight when the process died (stored or not).
    const unansweredIds = new Set(unanswered.map((attempt) => attempt.requestId));
    const storedUnanswered = [...byRequest.keys()].filter((requestId) => unansweredIds.has(requestId)).length;
    expect(events.length - acknowledged.length).toBe(storedUnanswered);

    await sut.restart();
    const restarted = await sut.client(api.instanceId);
    const afterRestart = await restarted.setExecution({ event: { event: 'fault.after.restart' } }, [targetIds[0]]);
    expect(afterRestart.status).toBe(200);
    const listed = await restarted.listExecutions({ queries: [{ inConditionsQuery: { conditions: [{ event: { event: 'fault.after.restart' } }] } }] });
    expect((listed.body as { result: { details: DetailsJson }[] }).result).toHaveLength(1);
    // No projection effect lost or applied twice across the crash: the read model is a replay of the log.
    const live = await liveReadModelRows(sut.storage);
    expect(live).toEqual(await replayedReadModelRows(await sut.log(), sut.storage));
    reportFigures(`kill -9 during writes (${kind})`, {
      attempts: attempts.length,
      acknowledged: acknowledged.length,
      unansweredAtKill: unanswered.length,
      unansweredButStored: storedUnanswered,
      eventsInLog: events.length,
      restartToFirst200Ms: Math.round(sut.process.startupMs),
      readModelRows: live.executions.length + live.executionTargets.length + live.targets.length,
    });
  });
});
