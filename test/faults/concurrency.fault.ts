import { ExecutionTargetKind } from '../../src/executions/domain/execution-events';
import type { ApiClient, DetailsJson, ErrorBody } from '../../bench/support/api-client';
import type { StoreKind } from '../../bench/support/storage';
import { liveReadModelRows, replayedReadModelRows } from './support/read-model-replay';
import { ServiceUnderTest } from './support/service-under-test';

const SESSION_LIST = '/zitadel.session.v2.SessionService/ListSessions';

describe.each<StoreKind>(['sqlite', 'postgres'])('concurrent writes on one execution, built service on %s', (kind) => {
  let sut: ServiceUnderTest;
  let api: ApiClient;
  let targetId: string;

  beforeAll(async () => {
    sut = await ServiceUnderTest.start(kind);
    api = await sut.client(`fault-concurrency-${kind}`);
    targetId = await api.createTarget('contested-hook');
  });
  afterAll(() => sut.close());

  it('lets exactly one of 50 concurrent DeleteExecution calls succeed; the rest are 404 COMMAND-suq2upd3rt; one removal is stored', async () => {
    const condition = { request: { method: SESSION_LIST } };
    expect((await api.setExecution(condition, [targetId])).status).toBe(200);

    const answers = await Promise.all(Array.from({ length: 50 }, () => api.deleteExecution(condition)));

    const succeeded = answers.filter((answer) => answer.status === 200);
    expect(succeeded).toHaveLength(1);
    expect((succeeded[0].body as { details: DetailsJson }).details.sequence).toBe('2');
    for (const answer of answers.filter((candidate) => candidate.status !== 200)) {
      expect({ status: answer.status, code: (answer.body as ErrorBody).code, id: (answer.body as ErrorBody).details[0].id }).toEqual({
        status: 404,
        code: 5,
        id: 'COMMAND-suq2upd3rt',
      });
    }
    const removals = await sut.settledEvents({ tenant: api.instanceId, types: ['execution.removed'] });
    expect(removals).toHaveLength(1);
  });

  it('answers 20 concurrent sets of one condition with 200 or 409 code 10, numbers the stored sets without gaps, and projects them exactly', async () => {
    const condition = { event: { group: 'user.human' } };
    const answers = await Promise.all(Array.from({ length: 20 }, (_, client) => api.setExecution(condition, [targetId], { 'x-request-id': `contender-${kind}-${client}` })));

    const statuses = answers.map((answer) => (answer.status === 200 ? 200 : `${answer.status}/${(answer.body as ErrorBody).code}`));
    expect(statuses.every((status) => status === 200 || status === '409/10')).toBe(true);
    const sequences = answers.filter((answer) => answer.status === 200).map((answer) => Number((answer.body as { details: DetailsJson }).details.sequence));
    expect(sequences.length).toBeGreaterThan(0);

    const stream = (await sut.settledEvents({ tenant: api.instanceId, types: ['execution.v2.set', 'execution.removed'] })).filter((event) => event.stream.endsWith(encodeURIComponent('event/user.human.*')));
    // Revisions 0..n-1 in log order, one per successful set, each answer naming its own event.
    expect(stream.map((event) => event.revision)).toEqual(stream.map((_event, index) => index));
    expect(stream).toHaveLength(sequences.length);
    expect([...sequences].sort((a, b) => a - b)).toEqual(stream.map((event) => event.revision + 1));
    for (const event of stream) expect(event.data).toEqual({ targets: [{ type: ExecutionTargetKind.Target, target: targetId }] });

    // A list waits for the projection to reach every write this service made.
    const listed = await api.listExecutions({ queries: [{ inConditionsQuery: { conditions: [condition] } }] });
    expect((listed.body as { result: { details: DetailsJson }[] }).result[0].details.sequence).toBe(String(Math.max(...sequences)));
    expect(await liveReadModelRows(sut.storage)).toEqual(await replayedReadModelRows(await sut.log(), sut.storage));
  });
});
