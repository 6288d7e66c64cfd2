import { ApiError } from '../../common/errors/api-error';
import { ExecutionTargetKind, type ExecutionTargetRef } from './execution-events';
import { checkIncludes, type ExecutionLookup } from './include-rules';

const include = (id: string): ExecutionTargetRef => ({ type: ExecutionTargetKind.Include, target: id });
const target = (id: string): ExecutionTargetRef => ({ type: ExecutionTargetKind.Target, target: id });
const lookupIn = (executions: Record<string, ExecutionTargetRef[]>): ExecutionLookup => async (id) => executions[id];

async function errorIdOf(promise: Promise<void>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error.id;
    throw error;
  }
}

describe('include rules', () => {
  it('accepts targets only, and existing includes up to three levels deep', async () => {
    const lookup = lookupIn({ a: [include('b')], b: [include('c')], c: [target('t')] });
    await expect(checkIncludes('e', [target('t')], lookup)).resolves.toBeUndefined();
    await expect(checkIncludes('e', [include('a'), target('t')], lookup)).resolves.toBeUndefined();
  });

  it.each<[string, Record<string, ExecutionTargetRef[]>, ExecutionTargetRef[], string]>([
    ['self include', {}, [include('e')], 'COMMAND-mo1cmjp5k7'],
    ['missing include', {}, [include('a')], 'COMMAND-slgj0l4cdz'],
    ['included execution includes itself', { a: [include('a')] }, [include('a')], 'COMMAND-iuch02i656'],
    ['direct cycle', { a: [include('e')] }, [include('a')], 'COMMAND-819opvhgjv'],
    ['cycle through a chain', { a: [include('b')], b: [include('c')], c: [include('e')] }, [include('a')], 'COMMAND-819opvhgjv'],
    ['four levels', { a: [include('b')], b: [include('c')], c: [include('d')], d: [target('t')] }, [include('a')], 'COMMAND-gbhd3g57oo'],
    ['a loop not through this execution', { a: [include('b')], b: [include('a')] }, [include('a')], 'COMMAND-gbhd3g57oo'],
  ])('refuses a %s', async (_name, executions, targets, expectedId) => {
    expect(await errorIdOf(checkIncludes('e', targets, lookupIn(executions)))).toBe(expectedId);
  });

  it('tolerates a vanished include further down a chain', async () => {
    await expect(checkIncludes('e', [include('a')], lookupIn({ a: [include('gone'), target('t')] }))).resolves.toBeUndefined();
  });

  it('loads each execution once however often it is included (fan-out of 100 x 100 x 100)', async () => {
    // d lists c 100 times, c lists b 100 times, b lists a 100 times: stored before repeats were refused.
    const times = (id: string): ExecutionTargetRef[] => Array.from({ length: 100 }, () => include(id));
    const executions: Record<string, ExecutionTargetRef[]> = { d: times('c'), c: times('b'), b: times('a'), a: [target('t')] };
    const loaded: string[] = [];
    const lookup: ExecutionLookup = async (id) => {
      loaded.push(id);
      return executions[id];
    };
    await expect(checkIncludes('e', [include('d')], lookup)).rejects.toMatchObject({ id: 'COMMAND-gbhd3g57oo' });
    await expect(checkIncludes('e', [include('c')], lookup)).resolves.toBeUndefined();
    expect(loaded.sort()).toEqual(['a', 'b', 'b', 'c', 'c', 'd']);
  });

  it('still refuses a chain too deep when an execution is reached again further down', async () => {
    // e -> a -> c is fine; e -> b -> x -> c -> d is four levels, c having been walked already.
    const lookup = lookupIn({ a: [include('c')], b: [include('x')], x: [include('c')], c: [include('d')], d: [target('t')] });
    expect(await errorIdOf(checkIncludes('e', [include('a'), include('b')], lookup))).toBe('COMMAND-gbhd3g57oo');
    await expect(checkIncludes('e', [include('a')], lookup)).resolves.toBeUndefined();
  });

  it('finds a cycle back to this execution behind an execution reached twice', async () => {
    const lookup = lookupIn({ a: [include('c')], b: [include('c')], c: [include('e')] });
    expect(await errorIdOf(checkIncludes('e', [include('a'), include('b')], lookup))).toBe('COMMAND-819opvhgjv');
  });
});
