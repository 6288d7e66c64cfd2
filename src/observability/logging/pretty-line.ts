/**
 * One log record as a short coloured line for a terminal:
 * `2026-12-03T07:31:15.805Z INFO  [Auth] message key=value`, a request as
 * `GET /v3alpha/targets 200 3ms`, an error's stack on the lines below.
 */

const LEVELS: Record<number, { label: string; colour: string }> = {
  10: { label: 'TRACE', colour: '\x1b[90m' },
  20: { label: 'DEBUG', colour: '\x1b[90m' },
  30: { label: 'INFO ', colour: '\x1b[32m' },
  40: { label: 'WARN ', colour: '\x1b[33m' },
  50: { label: 'ERROR', colour: '\x1b[31m' },
  60: { label: 'FATAL', colour: '\x1b[41m\x1b[97m' },
};
const DIM = '\x1b[2m';
const CYAN = '\x1b[36m';
const RESET = '\x1b[0m';

/** Fields every record has and the line shows in its own place, or not at all. */
const SHOWN_APART = new Set(['level', 'time', 'pid', 'hostname', 'context', 'msg', 'req', 'res', 'responseTime', 'err', 'stack']);

interface RequestFields {
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

export function prettyLine(record: Record<string, unknown>, colours: boolean): string {
  const paint = (colour: string, text: string): string => (colours ? `${colour}${text}${RESET}` : text);
  const level = LEVELS[Number(record.level)] ?? { label: String(record.level).padEnd(5), colour: '' };
  const parts = [paint(DIM, String(record.time ?? '')), paint(level.colour, level.label)];
  if (typeof record.context === 'string') parts.push(paint(CYAN, `[${record.context}]`));
  if (record.msg !== undefined) parts.push(String(record.msg));
  const request = describeRequest(record as RequestFields);
  if (request !== undefined) parts.push(request);
  for (const [key, value] of Object.entries(record)) {
    if (SHOWN_APART.has(key) || value === undefined) continue;
    parts.push(paint(DIM, `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`));
  }
  const stack = stackOf(record);
  return `${parts.join(' ')}${stack === undefined ? '' : `\n${paint(DIM, stack)}`}\n`;
}

function describeRequest({ req, res, responseTime }: RequestFields): string | undefined {
  if (req === undefined || res === undefined) return undefined;
  return `${req.method ?? ''} ${req.url ?? ''} ${res.statusCode ?? ''}${responseTime === undefined ? '' : ` ${responseTime}ms`}`;
}

function stackOf(record: Record<string, unknown>): string | undefined {
  const err = record.err as { stack?: unknown } | undefined;
  const stack = typeof err?.stack === 'string' ? err.stack : record.stack;
  return typeof stack === 'string' ? stack : undefined;
}
