import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { streamName } from '../src/common/domain/stream-name';
import { pageOf, pageWithinLimit, type Page } from '../src/common/read-model/list';
import { DeleteExecutionCommand } from '../src/executions/commands/delete-execution.command';
import { SetExecutionCommand } from '../src/executions/commands/set-execution.command';
import { SetExecutionTargetsCommand } from '../src/executions/commands/set-execution-targets.command';
import { conditionToId, type Condition } from '../src/executions/domain/condition';
import type { ExecutionFilter, ExecutionSortField } from '../src/executions/queries/execution.view';
import { ListExecutionsQuery } from '../src/executions/queries/list-executions.query';
import { CreateTargetCommand, DeleteTargetCommand, DeleteTargetIfExistsCommand, UpdateTargetCommand } from '../src/targets/commands/target.commands';
import { TargetType } from '../src/targets/domain/target-events';
import type { TargetSortField, TextMatch } from '../src/targets/queries/target.view';
import { ListTargetsQuery } from '../src/targets/queries/target.queries';
import { SESSION_LIST, SESSION_SERVICE } from './support/api';
import { STORE_SETUPS, startTestApp, type TestApp } from './support/test-app';

const ACTOR = 'tester';
const listSessions: Condition = { type: 'request', match: 'method', value: SESSION_LIST };
const errorOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

/**
 * The semantics ZITADEL's ActionService v2 and v2beta need beside v3alpha's, through the command
 * and query buses every API version shares, on both storage set-ups.
 */
describe.each(STORE_SETUPS)('v2 semantics behind the buses (%s)', (setup) => {
  let testApp: TestApp;
  let commands: CommandBus;
  let queries: QueryBus;
  let instance: string;

  beforeAll(async () => {
    testApp = await startTestApp(setup);
    commands = testApp.app.get(CommandBus);
    queries = testApp.app.get(QueryBus);
  });
  afterAll(() => testApp.close());
  beforeEach(() => {
    instance = `instance-${randomUUID()}`;
  });

  const newTarget = async (name: string, overrides: Partial<{ targetType: TargetType; endpoint: string; timeout: number }> = {}): Promise<string> => {
    const spec = { name, targetType: TargetType.Webhook, endpoint: 'https://example.com/hook', timeout: 10_000_000_000, interruptOnError: false, ...overrides };
    return (await commands.execute(new CreateTargetCommand(instance, spec, ACTOR))).id;
  };
  const executionEvents = async (condition: Condition) =>
    (await testApp.store.readStream(streamName('execution', instance, conditionToId(condition)))).map((event) => ({ type: event.type, createdAt: event.createdAt }));
  const targetEvents = async (targetId: string) => testApp.store.readStream(streamName('target', instance, targetId));
  const setTargets = (condition: Condition, targetIds: string[]) => commands.execute(new SetExecutionTargetsCommand(instance, condition, targetIds, ACTOR));

  describe('SetExecution with a plain target list', () => {
    it('removes the execution with an empty list (execution.removed, its date as setDate), after which v3alpha finds nothing to delete', async () => {
      const target = await newTarget('hook');
      await setTargets(listSessions, [target]);
      const answer = await setTargets(listSessions, []);
      const events = await executionEvents(listSessions);
      expect(events.map((event) => event.type)).toEqual(['execution.v2.set', 'execution.removed']);
      expect(answer).toEqual({ setDate: events[1].createdAt });
      expect(await errorOf(commands.execute(new DeleteExecutionCommand(instance, listSessions, ACTOR)))).toMatchObject({ code: 5, id: 'COMMAND-suq2upd3rt' });
    });

    it('succeeds without a setDate and appends nothing when the execution was never set or is already removed', async () => {
      expect(await setTargets(listSessions, [])).toEqual({});
      expect(await executionEvents(listSessions)).toEqual([]);
      await setTargets(listSessions, [await newTarget('hook')]);
      await setTargets(listSessions, []);
      expect(await setTargets(listSessions, [])).toEqual({});
      expect((await executionEvents(listSessions)).map((event) => event.type)).toEqual(['execution.v2.set', 'execution.removed']);
    });

    it('removes also an execution whose method is not in the catalogue (as DeleteExecution would)', async () => {
      const unlisted: Condition = { type: 'request', match: 'method', value: '/not.in.Catalogue/Method' };
      expect(await setTargets(unlisted, [])).toEqual({});
    });

    it('appends nothing for exactly the current targets and answers the last change date', async () => {
      const [a, b] = [await newTarget('a'), await newTarget('b')];
      const first = await setTargets(listSessions, [a, b]);
      await sleep(5);
      const again = await setTargets(listSessions, [a, b]);
      expect(again).toEqual(first);
      expect(await executionEvents(listSessions)).toHaveLength(1);
      // Order counts: the targets are called in this order.
      const reordered = await setTargets(listSessions, [b, a]);
      expect(reordered.setDate!.getTime()).toBeGreaterThan(first.setDate!.getTime());
      expect(await executionEvents(listSessions)).toHaveLength(2);
    });

    it('replaces a list with includes (set through v3alpha) by the plain targets, even if they are the same targets', async () => {
      const target = await newTarget('hook');
      await commands.execute(new SetExecutionCommand(instance, { type: 'request', match: 'all' }, [{ target }], ACTOR));
      await commands.execute(new SetExecutionCommand(instance, listSessions, [{ target }, { include: { type: 'request', match: 'all' } }], ACTOR));
      await setTargets(listSessions, [target]);
      expect(await executionEvents(listSessions)).toHaveLength(2);
    });

    it('keeps v3alpha’s SetExecution appending on every call, and its empty list an error', async () => {
      const target = await newTarget('hook');
      await commands.execute(new SetExecutionCommand(instance, listSessions, [{ target }], ACTOR));
      await commands.execute(new SetExecutionCommand(instance, listSessions, [{ target }], ACTOR));
      expect(await executionEvents(listSessions)).toHaveLength(2);
      expect(await errorOf(commands.execute(new SetExecutionCommand(instance, listSessions, [], ACTOR)))).toMatchObject({ code: 3, id: 'COMMAND-56bteot2uj' });
    });

    it('checks a non-empty list as any set: catalogue and target existence', async () => {
      const target = await newTarget('hook');
      const unlisted: Condition = { type: 'request', match: 'method', value: '/not.in.Catalogue/Method' };
      expect(await errorOf(setTargets(unlisted, [target]))).toMatchObject({ code: 5, id: 'COMMAND-vysplsevt8' });
      expect(await errorOf(setTargets(listSessions, ['no-such-target']))).toMatchObject({ code: 5, id: 'COMMAND-17e8fq1ggk' });
      expect(await errorOf(setTargets({ type: 'function', match: 'name', value: '' }, []))).toMatchObject({ code: 3, id: 'COMMAND-5folwn5jws' });
      expect(await executionEvents(listSessions)).toEqual([]);
    });
  });

  describe('DeleteTarget that may be gone', () => {
    it('answers an unknown id without a deletionDate and appends nothing', async () => {
      expect(await commands.execute(new DeleteTargetIfExistsCommand(instance, 'no-such-target', ACTOR))).toEqual({});
      expect(await targetEvents('no-such-target')).toEqual([]);
    });

    it('removes a live target (its name free again) and answers a removed one with its removal date, appending nothing more', async () => {
      const target = await newTarget('hook');
      const first = await commands.execute(new DeleteTargetIfExistsCommand(instance, target, ACTOR));
      const events = await targetEvents(target);
      expect(events.map((event) => event.type)).toEqual(['target.added', 'target.removed']);
      expect(first).toEqual({ deletionDate: events[1].createdAt });
      expect(await commands.execute(new DeleteTargetIfExistsCommand(instance, target, ACTOR))).toEqual(first);
      expect(await targetEvents(target)).toHaveLength(2);
      await expect(newTarget('hook')).resolves.toEqual(expect.any(String));
    });

    it('keeps v3alpha’s DeleteTarget answering 404 COMMAND-k4s7ucu0ax for a removed target', async () => {
      const target = await newTarget('hook');
      await commands.execute(new DeleteTargetIfExistsCommand(instance, target, ACTOR));
      expect(await errorOf(commands.execute(new DeleteTargetCommand(instance, target, ACTOR)))).toMatchObject({ code: 5, id: 'COMMAND-k4s7ucu0ax' });
    });
  });

  it('UpdateTarget that changes nothing appends nothing and answers the current change date', async () => {
    const target = await newTarget('hook');
    const changed = await commands.execute(new UpdateTargetCommand(instance, target, { endpoint: 'https://example.com/other' }, ACTOR));
    await sleep(5);
    const unchanged = await commands.execute(new UpdateTargetCommand(instance, target, { name: 'hook', endpoint: 'https://example.com/other' }, ACTOR));
    expect(unchanged).toEqual(changed);
    expect(await targetEvents(target)).toHaveLength(2);
  });

  describe('lists', () => {
    const targetIds = async (sortBy: TargetSortField, page: Page, filters: ConstructorParameters<typeof ListTargetsQuery>[1] = []) =>
      (await queries.execute(new ListTargetsQuery(instance, filters, sortBy, page))).result.map((target) => target.name);

    it('refuses a limit above 1000 with 3 QUERY-4M0fs, and takes 0 as the default of 100', () => {
      expect(() => pageWithinLimit(0, 1001)).toThrow(expect.objectContaining({ code: 3, id: 'QUERY-4M0fs' }));
      expect(pageWithinLimit(5, 1000, true)).toEqual({ offset: 5, limit: 1000, asc: true });
      expect(pageWithinLimit()).toEqual({ offset: 0, limit: 100, asc: false });
      // v3alpha caps instead.
      expect(pageOf(0, 5000).limit).toBe(1000);
    });

    it('sorts targets newest first by creation date unless asc, and by every v2 column', async () => {
      await newTarget('b', { targetType: TargetType.Call, endpoint: 'https://example.com/3', timeout: 3_000_000_000 });
      await sleep(3);
      await newTarget('c', { targetType: TargetType.Async, endpoint: 'https://example.com/1', timeout: 1_000_000_000 });
      await sleep(3);
      await newTarget('a', { targetType: TargetType.Webhook, endpoint: 'https://example.com/2', timeout: 2_000_000_000 });
      expect(await targetIds('UNSPECIFIED', pageOf())).toEqual(['a', 'c', 'b']);
      expect(await targetIds('CREATION_DATE', pageOf(0, 0, true))).toEqual(['b', 'c', 'a']);
      expect(await targetIds('NAME', pageOf(0, 0, true))).toEqual(['a', 'b', 'c']);
      expect(await targetIds('TARGET_TYPE', pageOf(0, 0, true))).toEqual(['a', 'b', 'c']);
      expect(await targetIds('URL', pageOf())).toEqual(['b', 'a', 'c']);
      expect(await targetIds('TIMEOUT', pageOf(0, 0, true))).toEqual(['c', 'a', 'b']);
      expect(await targetIds('UNSPECIFIED', pageOf(1, 1))).toEqual(['c']);
      const listed = (await queries.execute(new ListTargetsQuery(instance, [], 'UNSPECIFIED', pageOf()))).result;
      expect(listed.every((target) => target.creationDate instanceof Date && target.creationDate <= target.details.changeDate)).toBe(true);
    });

    it.each<[TextMatch, string, string[]]>([
      ['EQUALS', 'Hook_one', ['Hook_one']],
      ['EQUALS_IGNORE_CASE', 'hook_ONE', ['Hook_one']],
      ['STARTS_WITH', 'Hook', ['Hook_one', 'Hook%two']],
      ['STARTS_WITH_IGNORE_CASE', 'hook', ['Hook_one', 'Hook%two', 'hooked']],
      ['CONTAINS', 'ook%', ['Hook%two']],
      ['CONTAINS_IGNORE_CASE', 'OOK', ['Hook_one', 'Hook%two', 'hooked', 'my-hook']],
      ['ENDS_WITH', 'hook', ['my-hook']],
      ['ENDS_WITH_IGNORE_CASE', 'TWO', ['Hook%two']],
    ])('filters target names with %s', async (match, name, expected) => {
      for (const targetName of ['Hook_one', 'Hook%two', 'hooked', 'my-hook', 'other']) await newTarget(targetName);
      expect((await targetIds('NAME', pageOf(0, 0, true), [{ kind: 'name', name, match }])).sort()).toEqual([...expected].sort());
    });

    describe('executions', () => {
      const conditions: Condition[] = [
        { type: 'request', match: 'service', value: SESSION_SERVICE },
        { type: 'event', match: 'all' },
        listSessions,
      ];
      const listed = async (sortBy: ExecutionSortField | undefined, asc = false, filters: ExecutionFilter[] = []) =>
        (await queries.execute(new ListExecutionsQuery(instance, filters, pageWithinLimit(0, 0, asc), sortBy))).result;
      const ids = async (sortBy: ExecutionSortField | undefined, asc = false, filters: ExecutionFilter[] = []) =>
        (await listed(sortBy, asc, filters)).map((execution) => conditionToId(execution.condition));

      let targets: string[];
      beforeEach(async () => {
        targets = [await newTarget('t0'), await newTarget('t1')];
        for (const [index, condition] of conditions.entries()) {
          await setTargets(condition, [targets[index % 2]]);
          await sleep(3);
        }
        // Changed last, created first.
        await setTargets(conditions[0], [targets[1], targets[0]]);
      });

      it('sorts newest first by creation date unless asc, by change date and by id; without a column by id as v3alpha does', async () => {
        const [service, event, method] = conditions.map(conditionToId);
        expect(await ids('CREATION_DATE')).toEqual([method, event, service]);
        expect(await ids('CREATION_DATE', true)).toEqual([service, event, method]);
        expect(await ids('CHANGE_DATE')).toEqual([service, method, event]);
        expect(await ids('ID', true)).toEqual([event, service, method]);
        expect(await ids('ID')).toEqual([method, service, event]);
        expect(await ids(undefined)).toEqual([event, service, method]);
        const [changed] = await listed('CHANGE_DATE');
        expect(changed.creationDate.getTime()).toBeLessThan(changed.details.changeDate.getTime());
      });

      it('filters by execution type, target and conditions', async () => {
        const [service, event, method] = conditions.map(conditionToId);
        expect(await ids('ID', true, [{ kind: 'executionType', executionType: 'request' }])).toEqual([service, method]);
        expect(await ids('ID', true, [{ kind: 'executionType', executionType: 'event' }])).toEqual([event]);
        expect(await ids('ID', true, [{ kind: 'target', targetId: targets[0] }])).toEqual([service, method]);
        expect(await ids('ID', true, [{ kind: 'inConditions', conditions: [conditions[1], conditions[2]] }])).toEqual([event, method]);
        expect(await ids('ID', true, [{ kind: 'executionType', executionType: 'request' }, { kind: 'target', targetId: targets[1] }])).toEqual([service]);
      });
    });
  });
});
