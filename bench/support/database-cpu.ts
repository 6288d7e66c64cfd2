import { readdirSync, readFileSync } from 'node:fs';
import { CLOCK_TICKS_PER_SECOND } from './service-process';

/**
 * CPU the PostgreSQL server on this machine has used so far, in seconds: user + system time of
 * every `postgres` process, plus what the postmaster collected from backends that have exited
 * (Linux /proc). Undefined when `serverUrl` is not on this machine or no such process is seen.
 * Differences over a load run give the database's CPU per request, when nothing else uses it.
 */
export function localPostgresCpuSeconds(serverUrl: string): number | undefined {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(serverUrl).hostname)) return undefined;
  let ticks = 0;
  let seen = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (name !== 'postgres') continue;
    // utime, stime, cutime and cstime are fields 14 to 17 of the line, 12 to 15 after the name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    seen = true;
  }
  return seen ? ticks / CLOCK_TICKS_PER_SECOND : undefined;
}
