import { CoalescingRead } from './coalescing-read';

/** A read whose calls the test finishes by hand, each returning the value current at its start. */
function controlledRead() {
  let value = 0;
  const pending: Array<() => void> = [];
  const read = new CoalescingRead<number>(() => {
    const seen = value;
    return new Promise<number>((resolve) => pending.push(() => resolve(seen)));
  });
  return {
    read,
    set: (next: number) => (value = next),
    calls: () => pending.length,
    finish: async (index: number) => {
      pending[index]();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('CoalescingRead', () => {
  it('lets callers that arrive while a read is running share the next read, which sees their writes', async () => {
    const source = controlledRead();
    const first = source.read.get();
    source.set(1);
    const late = Array.from({ length: 10 }, () => source.read.get());
    expect(source.calls()).toBe(1);

    await source.finish(0);
    expect(source.calls()).toBe(2);
    await source.finish(1);

    expect(await first).toBe(0);
    expect(await Promise.all(late)).toEqual(Array(10).fill(1));
  });

  it('starts a fresh read once the previous one has finished', async () => {
    const source = controlledRead();
    const first = source.read.get();
    await source.finish(0);
    source.set(5);
    const second = source.read.get();
    await source.finish(1);
    expect([await first, await second]).toEqual([0, 5]);
  });

  it('passes a failure to the callers of that read only', async () => {
    let calls = 0;
    const read = new CoalescingRead(async () => {
      calls += 1;
      if (calls === 1) throw new Error('unreachable');
      return calls;
    });
    const failing = read.get();
    const queued = read.get();
    await expect(failing).rejects.toThrow('unreachable');
    await expect(queued).resolves.toBe(2);
  });
});
