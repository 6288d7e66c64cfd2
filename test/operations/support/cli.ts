import { PassThrough } from 'node:stream';
import { runCli } from '../../../src/cli/program';
import type { CliIo } from '../../../src/cli/cli-io';
import type { AppConfig } from '../../../src/config';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The environment that makes the command line open the same stores as the app with `config`. */
export function cliEnv(config: AppConfig): NodeJS.ProcessEnv {
  return {
    DATA_DIR: config.dataDir,
    EVENT_STORE: config.eventStore,
    ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
    LOG_LEVEL: 'silent',
  };
}

/** Runs one command line in-process with captured output; `onStderr` sees progress as it comes. */
export async function runCommand(args: string[], env: NodeJS.ProcessEnv, extra: Partial<CliIo> & { onStderr?: (text: string) => void } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const { onStderr, ...io } = extra;
  const exitCode = await runCli(args, {
    env,
    stdout: (text) => (stdout += text),
    stderr: (text) => {
      stderr += text;
      onStderr?.(text);
    },
    ...io,
  });
  return { exitCode, stdout, stderr };
}

/** A stdin carrying `text`. */
export function stdinOf(text: string): NodeJS.ReadableStream {
  const stream = new PassThrough();
  stream.end(text);
  return stream;
}
