#!/usr/bin/env node
import { ConfigError } from '../config/config-error';
import { loadEnvFile } from '../config/env-file';
import { runCli } from './program';

// The same settings file as `npm start`; the environment wins over it.
try {
  loadEnvFile();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
}

// Ctrl-C (or SIGTERM) asks long-running commands to stop cleanly; a second one exits at once.
const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort(new Error(`interrupted by ${signal}`));
  });
}

runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: process.stdout.isTTY === true,
  interrupt: interrupt.signal,
  stdin: process.stdin,
  stdoutStream: process.stdout,
}).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
