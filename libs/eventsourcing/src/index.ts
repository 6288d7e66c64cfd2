export * from './aggregate/aggregate-root';
export * from './aggregate/aggregate-repository';
export * from './command-handling/handle-command';
export * from './projections/projection';
export * from './projections/projection-engine';
export * from './projections/projection-state.entity';
export * from './projections/errors';
export type { ProjectionLogger } from './projections/logger';
