import { executionsProjection } from '../executions/projection/executions.projection';
import { targetsProjection } from '../targets/projection/targets.projection';

/** Every projection the service runs (also what the command line rebuilds and reports on). */
export const SERVICE_PROJECTIONS = [executionsProjection, targetsProjection] as const;
