/** Prints a figure of a fault run on its own line (outside Jest's console capture), for the record. */
export function reportFigures(fault: string, figures: Record<string, unknown>): void {
  process.stderr.write(`[faults] ${fault}: ${JSON.stringify(figures)}\n`);
}
