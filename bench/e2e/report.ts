import { mkdirSync, writeFileSync } from 'node:fs';
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

/** Writes `bench/results/e2e-<date>.{md,json}` and returns the Markdown path. */
export function writeResults(root: string, startedAt: Date, markdown: string, json: unknown): string {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = startedAt.toISOString().slice(0, 10);
  writeFileSync(join(dir, `e2e-${stamp}.json`), `${JSON.stringify(json, null, 2)}\n`);
  const file = join(dir, `e2e-${stamp}.md`);
  writeFileSync(file, markdown);
  return file;
}
