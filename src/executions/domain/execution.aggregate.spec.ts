import { ApiError } from '../../common/errors/api-error';
import { ExecutionAggregate } from './execution.aggregate';
import { EXECUTION_REMOVED, EXECUTION_SET, ExecutionTargetKind } from './execution-events';

const targets = [{ type: ExecutionTargetKind.Target, target: 't1' }];

describe('ExecutionAggregate', () => {
  it('does not exist before it is set, and cannot be removed then', () => {
    const execution = new ExecutionAggregate('request');
    expect(execution.exists).toBe(false);
    expect(() => execution.remove()).toThrow(expect.objectContaining({ id: 'COMMAND-suq2upd3rt' }) as ApiError);
  });

  it('records a set with the spec payload and can then be removed once', () => {
    const execution = new ExecutionAggregate('request');
    execution.set(targets);
    execution.remove();
    expect(execution.pendingEvents).toEqual([
      { type: EXECUTION_SET, data: { targets: [{ type: 2, target: 't1' }] } },
      { type: EXECUTION_REMOVED, data: {} },
    ]);
    expect(execution.exists).toBe(false);
    expect(() => execution.remove()).toThrow(ApiError);
  });

  it('refuses an empty target list', () => {
    expect(() => new ExecutionAggregate('request').set([])).toThrow(expect.objectContaining({ id: 'COMMAND-56bteot2uj' }) as ApiError);
  });

  it('exists again after a set following a removal (history replay)', () => {
    const execution = new ExecutionAggregate('event');
    execution.loadFromHistory(
      [
        { type: EXECUTION_SET, data: { targets } },
        { type: EXECUTION_REMOVED, data: {} },
        { type: EXECUTION_SET, data: { targets } },
      ],
      2,
    );
    expect(execution.exists).toBe(true);
    expect(execution.version).toBe(2);
  });

  describe('removeTarget', () => {
    const listed = (...entries: Array<[ExecutionTargetKind, string]>) => entries.map(([type, target]) => ({ type, target }));
    const loaded = (entries: ReturnType<typeof listed>): ExecutionAggregate => {
      const execution = new ExecutionAggregate('request');
      execution.loadFromHistory([{ type: EXECUTION_SET, data: { targets: entries } }], 0);
      return execution;
    };

    it('sets the rest of the list, includes and order kept', () => {
      const execution = loaded(listed([ExecutionTargetKind.Target, 't1'], [ExecutionTargetKind.Include, 'event'], [ExecutionTargetKind.Target, 't2']));
      execution.removeTarget('t1');
      expect(execution.pendingEvents).toEqual([{ type: EXECUTION_SET, data: { targets: listed([ExecutionTargetKind.Include, 'event'], [ExecutionTargetKind.Target, 't2']) } }]);
      expect(execution.targets).toEqual(listed([ExecutionTargetKind.Include, 'event'], [ExecutionTargetKind.Target, 't2']));
    });

    it('removes the execution when the target was all it had', () => {
      const execution = loaded(listed([ExecutionTargetKind.Target, 't1']));
      execution.removeTarget('t1');
      expect(execution.pendingEvents).toEqual([{ type: EXECUTION_REMOVED, data: {} }]);
      expect(execution.exists).toBe(false);
    });

    it('records nothing when the list does not name the target, or names it only as an include', () => {
      const execution = loaded(listed([ExecutionTargetKind.Target, 't2'], [ExecutionTargetKind.Include, 't1']));
      execution.removeTarget('t1');
      const missing = new ExecutionAggregate('request');
      missing.removeTarget('t1');
      expect(execution.pendingEvents).toEqual([]);
      expect(missing.pendingEvents).toEqual([]);
      expect(missing.exists).toBe(false);
    });
  });
});
