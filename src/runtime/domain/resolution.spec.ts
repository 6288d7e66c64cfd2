import { ExecutionTargetKind } from '../../executions/domain/execution-events';
import { candidateExecutionIds, resolveTargetIds } from './resolution';

const target = (id: string) => ({ type: ExecutionTargetKind.Target, target: id });
const include = (id: string) => ({ type: ExecutionTargetKind.Include, target: id });

describe('resolution', () => {
  it('orders candidates from the most specific: method, service, all', () => {
    expect(candidateExecutionIds({ kind: 'request', fullMethod: '/pkg.Service/Method' })).toEqual(['request/pkg.Service/Method', 'request/pkg.Service', 'request']);
  });

  it('orders event candidates: the event, its groups from the nearest, then all events', () => {
    expect(candidateExecutionIds({ kind: 'event', eventType: 'user.human.added' })).toEqual(['event/user.human.added', 'event/user.human.*', 'event/user.*', 'event']);
  });

  it('runs only the most specific existing execution', () => {
    const executions = new Map([
      ['event/user.*', [target('group')]],
      ['event', [target('all')]],
    ]);
    expect(resolveTargetIds({ kind: 'event', eventType: 'user.human.added' }, (id) => executions.get(id))).toEqual(['group']);
    expect(resolveTargetIds({ kind: 'event', eventType: 'org.added' }, (id) => executions.get(id))).toEqual(['all']);
    expect(resolveTargetIds({ kind: 'function', name: 'x' }, (id) => executions.get(id))).toEqual([]);
  });

  it('expands includes depth first in list order, keeps a repeated target at its first place, and survives cycles', () => {
    const executions = new Map([
      ['function/main', [target('a'), include('function/inner'), target('b'), target('d')]],
      ['function/inner', [target('b'), include('function/deep'), target('c')]],
      ['function/deep', [target('a'), target('e'), include('function/inner')]],
    ]);
    expect(resolveTargetIds({ kind: 'function', name: 'main' }, (id) => executions.get(id))).toEqual(['a', 'b', 'e', 'c', 'd']);
  });
});
