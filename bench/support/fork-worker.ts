import { fork } from 'node:child_process';

type WorkerAnswer<T> = { ok: true; result: T } | { ok: false; error: string };

/**
 * Runs a worker script (compiled .js) in a child process: sends it `plan` over IPC and
 * resolves with the result it sends back. Workers answer `{ ok, result | error }` and exit.
 */
export function runWorker<TPlan, TResult>(script: string, plan: TPlan, execArgv: readonly string[] = []): Promise<TResult> {
  return new Promise((resolve, reject) => {
    const worker = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...execArgv] });
    let answered = false;
    worker.once('message', (answer: WorkerAnswer<TResult>) => {
      answered = true;
      if (answer.ok) resolve(answer.result);
      else reject(new Error(`${script} failed: ${answer.error}`));
    });
    worker.once('exit', (code, signal) => {
      if (!answered) reject(new Error(`${script} exited (${code ?? signal}) without an answer`));
    });
    worker.send(plan as object);
  });
}
