import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@app/event-store';
import { SubscriberCheckpointEntity, type SubscriptionManager } from '@app/eventsourcing';
import type { DataSource } from 'typeorm';
import { READ_MODEL } from '../../src/persistence/persistence.tokens';
import { CLEANUP_ACTOR, EXECUTION_TARGET_CLEANUP } from '../../src/subscribers/execution-target-cleanup';
import { ServiceSubscribers } from '../../src/subscribers/service-subscribers';
import { ApiClient, SESSION_LIST, SESSION_SERVICE } from '../support/api';
import { STORE_SETUPS, startTestApp, storedEvents, type TestApp } from '../support/test-app';

const LIST_SESSIONS = { request: { method: SESSION_LIST } };
const SESSION_SERVICE_CONDITION = { request: { service: SESSION_SERVICE } };
const ALL_REQUESTS = { request: { all: true } };
const USER_ADDED = { event: { event: 'user.human.added' } };

type ExecutionJson = { Condition: unknown; targets: unknown[] };

describe.each(STORE_SETUPS)('removed targets leave no execution pointing at them (%s)', (setup) => {
  let testApp: TestApp;
  let api: ApiClient;
  let subscribers: SubscriptionManager;

  beforeEach(async () => {
    testApp = await startTestApp(setup);
    api = await ApiClient.of(testApp, `instance-${randomUUID()}`);
    subscribers = await testApp.app.get(ServiceSubscribers).get();
  });
  afterEach(() => testApp.close());

  async function executions(): Promise<ExecutionJson[]> {
    const response = await api.listExecutions();
    expect(response.status).toBe(200);
    return (response.body as { result: ExecutionJson[] }).result;
  }

  /** Every append so far is visible (a PostgreSQL head can trail a returned write) and handled. */
  async function settle(): Promise<void> {
    await storedEvents(testApp, {});
    await subscribers.catchUp();
  }

  const cleanupEvents = async (): Promise<StoredEvent[]> =>
    (await storedEvents(testApp, { typePrefixes: ['execution.'], tenant: api.instanceId })).filter((event) => event.metadata.actor === CLEANUP_ACTOR);

  /** Executions over two targets, one of them about to go; one includes an execution that will be emptied. */
  async function setUpAndRemove(): Promise<string> {
    const [doomed, kept] = [await api.newTarget('doomed'), await api.newTarget('kept')];
    const set = async (condition: unknown, targets: unknown[]) => expect((await api.setExecution({ condition, targets })).status).toBe(200);
    await set(LIST_SESSIONS, [{ target: doomed }, { target: kept }]);
    await set(SESSION_SERVICE_CONDITION, [{ target: doomed }]);
    // Includes the execution that is about to lose its last target: it must be set first.
    await set(ALL_REQUESTS, [{ target: doomed }, { include: SESSION_SERVICE_CONDITION }]);
    await set(USER_ADDED, [{ target: kept }]);
    expect((await api.deleteTarget(doomed)).status).toBe(200);
    return kept;
  }

  const expectedAfterCleanup = (kept: string): unknown[] => [
    { Condition: { event: { event: 'user.human.added' } }, details: expect.anything(), targets: [{ target: kept }] },
    { Condition: { request: { all: true } }, details: expect.anything(), targets: [{ include: SESSION_SERVICE_CONDITION }] },
    { Condition: LIST_SESSIONS, details: expect.anything(), targets: [{ target: kept }] },
  ];

  it('drops the target from every list, deletes executions left empty, and keeps includes', async () => {
    const kept = await setUpAndRemove();
    await settle();

    expect(await executions()).toEqual(expectedAfterCleanup(kept));
    const changes = await cleanupEvents();
    expect(changes.map((event) => event.type).sort()).toEqual(['execution.removed', 'execution.v2.set', 'execution.v2.set']);
    const [removal] = await storedEvents(testApp, { types: ['target.removed'], tenant: api.instanceId });
    for (const change of changes) expect(change.metadata).toMatchObject({ correlationId: removal.metadata.correlationId, causationId: removal.id });
    // Its own changes are events it receives too (and leaves alone).
    await settle();
    expect((await subscribers.status()).subscribers).toEqual([expect.objectContaining({ name: EXECUTION_TARGET_CLEANUP, failedEvents: 0, lag: 0 })]);
  });

  it('ends the same when it reaches the sets only after the removal was stored', async () => {
    await subscribers.stop();
    const kept = await setUpAndRemove();
    await subscribers.start();
    await settle();
    expect(await executions()).toEqual(expectedAfterCleanup(kept));
    expect((await cleanupEvents()).length).toBe(3);
    expect((await subscribers.status()).subscribers[0].failedEvents).toBe(0);
  });

  it('changes nothing when the removal is delivered again', async () => {
    const doomed = await api.newTarget('doomed');
    const kept = await api.newTarget('kept');
    expect((await api.setExecution({ condition: LIST_SESSIONS, targets: [{ target: doomed }, { target: kept }] })).status).toBe(200);
    expect((await api.setExecution({ condition: USER_ADDED, targets: [{ target: doomed }] })).status).toBe(200);
    expect((await api.deleteTarget(doomed)).status).toBe(200);
    await settle();
    const before = await storedEvents(testApp, {});
    expect((await cleanupEvents()).length).toBe(2);

    // As after a crash between the side effects and the checkpoint write: everything again.
    await subscribers.stop();
    await testApp.app.get<DataSource>(READ_MODEL).getRepository(SubscriberCheckpointEntity).update({ name: EXECUTION_TARGET_CLEANUP }, { position: 0 });
    await subscribers.start();
    await settle();

    expect(await storedEvents(testApp, {})).toEqual(before);
    expect(await executions()).toEqual([{ Condition: LIST_SESSIONS, details: expect.anything(), targets: [{ target: kept }] }]);
  });

  it('drops a target whose removal overtook a set that had already checked it', async () => {
    const target = await api.newTarget('raced');
    const kept = await api.newTarget('kept');
    // The write side as a set that validated `target` before its removal would leave it.
    expect((await api.deleteTarget(target)).status).toBe(200);
    await settle();
    const stream = `execution:${encodeURIComponent(api.instanceId)}:${encodeURIComponent('request/zitadel.session.v2.SessionService/ListSessions')}`;
    await testApp.store.append(
      stream,
      [{ type: 'execution.v2.set', tenant: api.instanceId, data: { targets: [{ type: 2, target }, { type: 2, target: kept }] } }],
      { expectedRevision: 'no_stream' },
    );
    await settle();
    expect(await executions()).toEqual([{ Condition: LIST_SESSIONS, details: expect.anything(), targets: [{ target: kept }] }]);
  });
});
