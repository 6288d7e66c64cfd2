import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of the results table. */
export interface Row {
  metric: string;
  value: number;
  unit: string;
  /** The figure to reach: at least (`min`) or at most (`max`). */
  target?: { min?: number; max?: number };
  /** False when the measurement itself is invalid (errors during a load run). */
  valid?: boolean;
  detail?: string;
}

export function verdict(row: Row): string {
  if (row.valid === false) return 'INVALID';
  if (!row.target) return '';
  const { min, max } = row.target;
  return (min === undefined || row.value >= min) && (max === undefined || row.value <= max) ? 'yes' : 'NO';
}

function targetText(row: Row): string {
  if (!row.target) return '';
  const parts = [];
  if (row.target.min !== undefined) parts.push(`>= ${row.target.min.toLocaleString('en-US')}`);
  if (row.target.max !== undefined) parts.push(`<= ${row.target.max.toLocaleString('en-US')}`);
  return parts.join(', ');
}

export function markdownTable(rows: readonly Row[]): string {
  const lines = ['| metric | value | target | met | detail |', '|---|---:|---:|:---:|---|'];
  for (const row of rows) {
    lines.push(`| ${row.metric} | ${row.value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${row.unit} | ${targetText(row)} | ${verdict(row)} | ${row.detail ?? ''} |`);
  }
  return lines.join('\n');
}

/**
 * Writes `bench/results/e2e-<date>.{md,json}` (then `-2`, `-3`... so a recorded run is never
 * overwritten) and returns the Markdown path. Quick runs, which are for iterating, go to
 * `e2e-<date>-quick.{md,json}` instead, which git ignores.
 */
export function writeResults(root: string, startedAt: Date, markdown: string, json: unknown, quick = false): string {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().slice(0, 10);
  let base = quick ? `e2e-${stamp}-quick` : `e2e-${stamp}`;
  for (let next = 2; !quick && (existsSync(join(dir, `${base}.md`)) || existsSync(join(dir, `${base}.json`))); next += 1) base = `e2e-${stamp}-${next}`;
  writeFileSync(join(dir, `${base}.json`), `${JSON.stringify(json, null, 2)}\n`);
  const file = join(dir, `${base}.md`);
  writeFileSync(file, markdown);
  return file;
}
