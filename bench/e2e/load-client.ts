import { join } from 'node:path';
import { runWorker } from '../support/fork-worker';
import type { LoadFigures, LoadPlan } from './load-protocol';

/** Runs `plan` in a fresh load-generator process and returns its figures. */
export function runLoad(plan: LoadPlan): Promise<LoadFigures> {
  return runWorker<LoadPlan, LoadFigures>(join(__dirname, 'load-worker.js'), plan);
}
