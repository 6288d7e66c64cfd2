import fc from 'fast-check';
import { Condition, conditionProblem, conditionToId, idToCondition, normalizeCondition } from './condition';

const text = fc.string({ minLength: 1, maxLength: 30, unit: fc.constantFrom('a', 'B', '.', '/', '*', '_', '-', 'é', '1') });

const anyCondition: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({ type: fc.constantFrom('request' as const, 'response' as const), match: fc.constantFrom('method' as const, 'service' as const), value: text }),
  fc.record({ type: fc.constantFrom('request' as const, 'response' as const, 'event' as const), match: fc.constant('all' as const) }),
  fc.record({ type: fc.constant('function' as const), match: fc.constant('name' as const), value: text }),
  fc.record({ type: fc.constant('event' as const), match: fc.constantFrom('event' as const, 'group' as const), value: text }),
);

describe('condition ids', () => {
  it.each<[Condition, string]>([
    [{ type: 'request', match: 'method', value: '/zitadel.session.v2.SessionService/ListSessions' }, 'request/zitadel.session.v2.SessionService/ListSessions'],
    [{ type: 'request', match: 'service', value: 'zitadel.session.v2.SessionService' }, 'request/zitadel.session.v2.SessionService'],
    [{ type: 'request', match: 'all' }, 'request'],
    [{ type: 'response', match: 'method', value: '/zitadel.session.v2.SessionService/ListSessions' }, 'response/zitadel.session.v2.SessionService/ListSessions'],
    [{ type: 'response', match: 'service', value: 'zitadel.session.v2.SessionService' }, 'response/zitadel.session.v2.SessionService'],
    [{ type: 'response', match: 'all' }, 'response'],
    [{ type: 'event', match: 'event', value: 'user.human.added' }, 'event/user.human.added'],
    [{ type: 'event', match: 'group', value: 'user.human' }, 'event/user.human.*'],
    [{ type: 'event', match: 'group', value: 'user.human.*' }, 'event/user.human.*'],
    [{ type: 'event', match: 'all' }, 'event'],
    [{ type: 'function', match: 'name', value: 'Action.Flow.Type.ExternalAuthentication.Action.TriggerType.PostAuthentication' }, 'function/Action.Flow.Type.ExternalAuthentication.Action.TriggerType.PostAuthentication'],
  ])('maps %j to %s and back', (condition, id) => {
    expect(conditionProblem(condition)).toBeUndefined();
    expect(conditionToId(condition)).toBe(id);
    expect(idToCondition(id)).toEqual(normalizeCondition(condition));
  });

  it.each<Condition>([
    { type: 'request', match: 'method', value: 'ListSessions' },
    { type: 'request', match: 'method', value: '/zitadel.session.v2.SessionService' },
    { type: 'response', match: 'service', value: 'a/b' },
    { type: 'event', match: 'event', value: 'user.*' },
    { type: 'event', match: 'event', value: '/user' },
    { type: 'event', match: 'group', value: '.*' },
    { type: 'function', match: 'name', value: '/x' },
  ])('refuses %j, whose id would alias another condition', (condition) => {
    expect(conditionProblem(condition)).toEqual(expect.any(String));
  });

  it.each(['', 'requests', 'request/', 'function', 'event/', 'event/a.*.*', 'other/x', 'Request'])('knows %j is no execution id', (id) => {
    expect(idToCondition(id)).toBeUndefined();
  });

  it('round-trips every acceptable condition through its id', () => {
    fc.assert(
      fc.property(anyCondition, (condition) => {
        fc.pre(conditionProblem(condition) === undefined);
        expect(idToCondition(conditionToId(condition))).toEqual(normalizeCondition(condition));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives distinct acceptable conditions distinct ids', () => {
    fc.assert(
      fc.property(anyCondition, anyCondition, (a, b) => {
        fc.pre(conditionProblem(a) === undefined && conditionProblem(b) === undefined);
        const sameCondition = JSON.stringify(normalizeCondition(a)) === JSON.stringify(normalizeCondition(b));
        expect(conditionToId(a) === conditionToId(b)).toBe(sameCondition);
      }),
      { numRuns: 2000 },
    );
  });

  it('maps every parseable id of an acceptable condition back to itself', () => {
    const id = fc.tuple(fc.constantFrom('request', 'response', 'event', 'function', 'x'), fc.option(text)).map(([type, rest]) => (rest === null ? type : `${type}/${rest}`));
    fc.assert(
      fc.property(id, (candidate) => {
        const condition = idToCondition(candidate);
        fc.pre(condition !== undefined && conditionProblem(condition) === undefined);
        expect(conditionToId(condition!)).toBe(candidate);
      }),
      { numRuns: 5000 },
    );
  });
});
