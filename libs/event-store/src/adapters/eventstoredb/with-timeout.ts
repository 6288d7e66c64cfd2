/**
 * Settles with `work`, or rejects with `onTimeout()` after `ms` and calls `abandon` so the
 * work can release what it holds. EventStoreDB's client can wait far longer than its own
 * deadlines (a server that accepts connections and never answers), so every call goes
 * through this.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Error, abandon?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      // The abandoned work may still settle later; nobody listens to it any more.
      work.catch(() => undefined);
      abandon?.();
      reject(onTimeout());
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
