/** What a command may touch of the outside world, so commands run the same in tests. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  /** Results only (a token, a table): scripts capture it. */
  stdout(text: string): void;
  /** Warnings, errors and progress. */
  stderr(text: string): void;
  /** True when stdout is a terminal: tables and progress bars instead of plain lines. */
  interactive?: boolean;
  /** Aborted on Ctrl-C / SIGTERM: long-running commands (tail, rebuild) stop cleanly. */
  interrupt?: AbortSignal;
  /** Input of `events import` without `--in`. */
  stdin?: NodeJS.ReadableStream;
  /** Bulk output (`events export` without `--out`), written with back-pressure; else `stdout()`. */
  stdoutStream?: NodeJS.WritableStream;
}

/** A failure the user can fix; printed as `error: <message>` with exit code 1, no stack. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
