import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type AppendOptions, type AppendResult, type EventToAppend } from '@app/event-store';
import { Catalogue } from '../../catalogue/catalogue';
import { ExecutionErrors } from '../domain/execution-errors';
import { ForwardingEventStore } from '../../persistence/forwarding-event-store';
import { ExecutionTargetKind, type ExecutionTargetRef } from '../domain/execution-events';
import { ExecutionRepository } from './execution.repository';
import { RemoveTargetFromExecutionCommand } from './remove-target-from-execution.command';
import { RemoveTargetFromExecutionHandler } from './remove-target-from-execution.handler';

const INSTANCE = 'instance-1';
const EXECUTION = 'request/zitadel.session.v2.SessionService/ListSessions';
const UNLISTED = 'request/zitadel.gone.v1.GoneService/Call';
const catalogue = new Catalogue({ 'zitadel.session.v2.SessionService': ['ListSessions'] }, []);
const target = (id: string): ExecutionTargetRef => ({ type: ExecutionTargetKind.Target, target: id });
const include = (id: string): ExecutionTargetRef => ({ type: ExecutionTargetKind.Include, target: id });

/** Lets a test append, as another writer, right before the next append of the code under test. */
class RacingEventStore extends ForwardingEventStore {
  private race: (() => Promise<void>) | undefined;

  beforeNextAppend(race: () => Promise<void>): void {
    this.race = race;
  }

  override async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const race = this.race;
    this.race = undefined;
    await race?.();
    return super.append(stream, events, options);
  }
}

describe('RemoveTargetFromExecutionHandler', () => {
  let dir: string;
  let store: SqliteEventStore;
  let racing: RacingEventStore;
  let executions: ExecutionRepository;
  let handler: RemoveTargetFromExecutionHandler;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'remove-target-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db'), backgroundCheckpointMs: false });
    await store.init();
    racing = new RacingEventStore(store);
    executions = new ExecutionRepository(racing);
    handler = new RemoveTargetFromExecutionHandler(executions, catalogue);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What a user's SetExecution / DeleteExecution stores, written past the handler. */
  async function userSets(...targets: ExecutionTargetRef[]): Promise<void> {
    await setOn(EXECUTION, targets);
  }

  async function setOn(executionId: string, targets: ExecutionTargetRef[]): Promise<void> {
    const execution = await new ExecutionRepository(store).load(INSTANCE, executionId);
    execution.set(targets);
    await new ExecutionRepository(store).save(INSTANCE, execution, { metadata: { actor: 'user' } });
  }

  async function userDeletes(): Promise<void> {
    const execution = await new ExecutionRepository(store).load(INSTANCE, EXECUTION);
    execution.remove();
    await new ExecutionRepository(store).save(INSTANCE, execution, { metadata: { actor: 'user' } });
  }

  const removeGone = () => handler.execute(new RemoveTargetFromExecutionCommand(INSTANCE, EXECUTION, 'gone', 'cleanup'));
  const current = async () => (await executions.load(INSTANCE, EXECUTION)).targets;
  const actors = async () => (await store.readStream(`execution:${INSTANCE}:${encodeURIComponent(EXECUTION)}`)).map((event) => event.metadata.actor);

  it('sets the rest of the list and answers with the details of that change', async () => {
    await userSets(target('gone'), include('event'), target('kept'));
    const details = await removeGone();
    expect(details).toMatchObject({ sequence: 2, resourceOwner: INSTANCE });
    expect(await current()).toEqual([include('event'), target('kept')]);
    expect(await actors()).toEqual(['user', 'cleanup']);
  });

  it('removes the execution left without entries', async () => {
    await userSets(target('gone'));
    await removeGone();
    expect((await executions.load(INSTANCE, EXECUTION)).exists).toBe(false);
  });

  it('changes nothing when sent again, or for an execution that does not list the target', async () => {
    await userSets(target('gone'), target('kept'));
    await removeGone();
    expect(await removeGone()).toBeUndefined();
    await expect(handler.execute(new RemoveTargetFromExecutionCommand(INSTANCE, 'event', 'gone', 'cleanup'))).resolves.toBeUndefined();
    expect(await actors()).toEqual(['user', 'cleanup']);
  });

  it('sets the rest only on a condition the catalogue lists, and removes an execution left empty whatever the catalogue', async () => {
    await setOn(UNLISTED, [target('gone'), target('kept')]);
    await expect(handler.execute(new RemoveTargetFromExecutionCommand(INSTANCE, UNLISTED, 'gone', 'cleanup'))).rejects.toMatchObject({ id: ExecutionErrors.methodNotFound('').id });
    expect((await executions.load(INSTANCE, UNLISTED)).targets).toEqual([target('gone'), target('kept')]);
    const alsoUnlisted = 'request/zitadel.gone.v1.GoneService';
    await setOn(alsoUnlisted, [target('gone')]);
    await handler.execute(new RemoveTargetFromExecutionCommand(INSTANCE, alsoUnlisted, 'gone', 'cleanup'));
    expect((await executions.load(INSTANCE, alsoUnlisted)).exists).toBe(false);
  });

  describe('when a user changes the execution between its load and its append', () => {
    it('keeps the user’s new entries: the target is taken out of the list the user stored', async () => {
      await userSets(target('gone'), target('kept'));
      racing.beforeNextAppend(() => userSets(target('gone'), target('kept'), target('added-meanwhile')));
      await removeGone();
      expect(await current()).toEqual([target('kept'), target('added-meanwhile')]);
      expect(await actors()).toEqual(['user', 'user', 'cleanup']);
    });

    it('leaves a list the user already cleared of the target as the user stored it', async () => {
      await userSets(target('gone'), target('kept'));
      racing.beforeNextAppend(() => userSets(target('other')));
      expect(await removeGone()).toBeUndefined();
      expect(await current()).toEqual([target('other')]);
      expect(await actors()).toEqual(['user', 'user']);
    });

    it('does not bring back an execution the user deleted', async () => {
      await userSets(target('gone'), target('kept'));
      racing.beforeNextAppend(userDeletes);
      expect(await removeGone()).toBeUndefined();
      expect((await executions.load(INSTANCE, EXECUTION)).exists).toBe(false);
    });
  });
});
