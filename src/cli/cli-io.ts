/** What a command may touch of the outside world, so commands run the same in tests. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  /** Results only (a token, a table): scripts capture it. */
  stdout(text: string): void;
  /** Warnings, errors and progress. */
  stderr(text: string): void;
}

/** A failure the user can fix; printed as `error: <message>` with exit code 1, no stack. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
