#!/usr/bin/env node
import { runCli } from './program';

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
