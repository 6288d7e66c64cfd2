import fc from 'fast-check';
import { eventMatches, normalizeFilter } from '../../contract/filter-rules';
import { eventTypesFilter, literal, viewFilter } from './server-filter';

// The filters are .NET regular expressions; the constructs used (anchors, a negative
// lookahead, alternation, \uXXXX escapes) mean the same in JavaScript, so JS checks them here.
const matches = (regex: string, text: string) => new RegExp(regex).test(text);

describe('EventStoreDB server filters', () => {
  it('excludes system events from the default view and keeps every other type', () => {
    const view = viewFilter('');
    expect(view.on).toBe('eventType');
    expect(matches(view.regex, '$statsCollected')).toBe(false);
    expect(matches(view.regex, '$>')).toBe(false);
    expect(matches(view.regex, 'target.added')).toBe(true);
  });

  it('limits a prefixed view to its streams, which leaves out system streams too', () => {
    const view = viewFilter('svc.a+b.');
    expect(view.on).toBe('streamName');
    expect(matches(view.regex, 'svc.a+b.order-1')).toBe(true);
    expect(matches(view.regex, 'svc.aab.order-1')).toBe(false);
    expect(matches(view.regex, 'other-svc.a+b.order-1')).toBe(false);
    expect(matches(view.regex, '$stats-127.0.0.1:2113')).toBe(false);
  });

  it('matches exactly the types the port filter rule matches, never system events', () => {
    const type = fc.stringMatching(/^[a-z.$*+?()[\]{}|\\^ -]{0,8}$/);
    fc.assert(
      fc.property(fc.array(type, { maxLength: 3 }), fc.array(type, { maxLength: 3 }), type, (types, typePrefixes, candidate) => {
        const filter = normalizeFilter({ types, typePrefixes });
        const server = eventTypesFilter(filter);
        if (!server) {
          expect(types.length + typePrefixes.length).toBe(0);
          return;
        }
        expect(server.on).toBe('eventType');
        const expected = eventMatches(filter, { type: candidate, tenant: '' }) && !candidate.startsWith('$');
        expect(matches(server.regex, candidate)).toBe(expected);
      }),
    );
  });

  it('tells exact types from prefixes: `execution.` does not match `executions.other`', () => {
    const server = eventTypesFilter({ types: ['target.added'], typePrefixes: ['execution.'] })!;
    expect(matches(server.regex, 'target.added')).toBe(true);
    expect(matches(server.regex, 'target.added.v2')).toBe(false);
    expect(matches(server.regex, 'execution.set')).toBe(true);
    expect(matches(server.regex, 'executions.other')).toBe(false);
  });

  it('escapes everything but letters, digits and underscores', () => {
    expect(literal('a.b_1')).toBe('a\\u002eb_1');
    expect(literal('日')).toBe('\\u65e5');
    expect(matches(`^${literal('😀.x')}$`, '😀.x')).toBe(true);
  });
});
