import { jsonNestingDepth, MAX_JSON_DEPTH } from './json-text';

const depthOf = (text: string): number => jsonNestingDepth(Buffer.from(text, 'utf8'));

describe('jsonNestingDepth', () => {
  it.each<[string, number]>([
    ['1', 0],
    ['{}', 1],
    ['{"a":[1,{"b":[]}]}', 4],
    ['[[],[[]],[]]', 3],
    ['{"a":"[[[{{{"}', 1],
    ['{"a":"\\"[[[","b":[1]}', 2],
    ['{"a":"\\\\","b":[[1]]}', 3],
  ])('finds the depth of %s: %i', (text, depth) => {
    expect(depthOf(text)).toBe(depth);
  });

  it('measures a hostile body without recursion', () => {
    expect(depthOf('['.repeat(200_000) + ']'.repeat(200_000))).toBe(200_000);
    expect(MAX_JSON_DEPTH).toBeGreaterThanOrEqual(16);
  });
});
