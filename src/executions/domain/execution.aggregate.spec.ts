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
});
