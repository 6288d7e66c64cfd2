import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { MANAGEMENT_ONLY_PATHS } from '../../src/management/management-server';
import { builtServiceEntry } from './repo-root';
import type { ServiceStorage } from './storage';

export interface ServiceStartOptions {
  storage: ServiceStorage;
  /** Service LOG_LEVEL; default `warn` (pino writes JSON lines to the log file either way). */
  logLevel?: string;
  /** Where stdout and stderr go; default `<dataDir>/service.log`. */
  logFile?: string;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  /** Extra environment (wins over the storage's). */
  env?: Record<string, string>;
  /** PostgreSQL through another address (a fault-injection proxy). */
  databaseVia?: { host: string; port: number };
  /** How long to wait for /healthz. Default 30 s. */
  startTimeoutMs?: number;
  /** The built service to run (another checkout's, for A/B); default this checkout's. */
  entry?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Asks the kernel for a free TCP port (closed again at once; the service binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** USER_HZ: what Linux counts /proc CPU times in (100 on every common architecture). */
export const CLOCK_TICKS_PER_SECOND = 100;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The built service (`dist/src/main.js`) as a child process on free ports, with its output in a
 * log file. `start` resolves once `/healthz` answers 200 and records how long that took from the
 * spawn; `kill` sends SIGKILL (a crash), `stop` SIGTERM (a graceful shutdown).
 */
export class ServiceProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  /** Milliseconds from spawn to the first 200 on /healthz. */
  startupMs = Number.NaN;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly grpcPort: number,
    readonly managementPort: number,
    readonly logFile: string,
    private readonly spawnedAt: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  static async start(options: ServiceStartOptions): Promise<ServiceProcess> {
    const service = ServiceProcess.spawn(options, await freePort(), await freePort(), await freePort());
    try {
      await service.waitForHealth(options.startTimeoutMs ?? 30_000);
    } catch (error) {
      await service.kill();
      throw error;
    }
    return service;
  }

  /** Spawns without waiting; {@link waitForHealth} or {@link waitForStatus} measure readiness. */
  static spawn(options: ServiceStartOptions, port: number, grpcPort: number, managementPort: number): ServiceProcess {
    const logFile = options.logFile ?? join(options.storage.dataDir, 'service.log');
    const fd = openSync(logFile, 'a');
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry ?? builtServiceEntry()], {
      // Not the repository: the service reads .env of its working directory, and a developer's
      // own .env must not change what a test or benchmark runs.
      cwd: options.storage.dataDir,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        GRPC_PORT: String(grpcPort),
        MANAGEMENT_PORT: String(managementPort),
        LOG_LEVEL: options.logLevel ?? 'warn',
        // Load generators send far more per instance than a tenant is allowed; the limiter still runs.
        RATE_LIMIT_PER_SECOND: '1000000',
        RATE_LIMIT_BURST: '1000000',
        ...options.storage.serviceEnv(options.databaseVia),
        ...options.env,
      },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    return new ServiceProcess(child, port, grpcPort, managementPort, logFile, spawnedAt);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('The service process has no pid');
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** A path on the management port (`/metrics`, `/readyz`, `/healthz`). */
  managementUrl(path: string): string {
    return `http://127.0.0.1:${this.managementPort}${path}`;
  }

  /**
   * Polls `path` until it answers `status`; returns the milliseconds since the spawn. `/metrics`
   * and `/readyz` are asked on the management port, everything else on the public one.
   */
  async waitForStatus(path: string, status: number, timeoutMs: number, headers: Record<string, string> = {}, body?: string): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`The service exited (${JSON.stringify(this.exitInfo)}) before ${path} answered ${status}:\n${this.logTail()}`);
      try {
        const url = MANAGEMENT_ONLY_PATHS.includes(path) ? this.managementUrl(path) : this.url(path);
        const response = await fetch(url, { method: body === undefined ? 'GET' : 'POST', headers, body, signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === status) return performance.now() - this.spawnedAt;
      } catch {
        // Not listening yet.
      }
      if (performance.now() > deadline) throw new Error(`${path} did not answer ${status} within ${timeoutMs} ms:\n${this.logTail()}`);
      await sleep(5);
    }
  }

  async waitForHealth(timeoutMs: number): Promise<number> {
    this.startupMs = await this.waitForStatus('/healthz', 200, timeoutMs);
    return this.startupMs;
  }

  /** Resident and peak resident memory of the process (Linux /proc), in bytes. */
  memory(): { rss: number; peakRss: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
  }

  /**
   * CPU the process has used so far (user + system, every thread), in seconds, from
   * /proc/<pid>/stat. Differences over a load run give the service's CPU per request, a figure
   * that holds up on a machine shared with other work better than throughput does.
   */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  }

  /** SIGKILL: the process dies at once, as in a crash. */
  async kill(): Promise<ExitInfo> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 15_000): Promise<ExitInfo> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
