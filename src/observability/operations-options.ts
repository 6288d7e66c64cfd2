/**
 * The operations settings are read and validated with the rest of the configuration
 * (`src/config/operations-options.ts`, every variable listed in `src/config/README.md`);
 * the observability module provides them to Nest under this token.
 */
export { DEFAULT_OPERATIONS_OPTIONS, loadOperationsOptions, type OperationsOptions } from '../config/operations-options';

/** Nest injection token of {@link OperationsOptions}. */
export const OPERATIONS_OPTIONS = Symbol('OPERATIONS_OPTIONS');
