export * from './aggregate/aggregate-root';
export * from './aggregate/aggregate-repository';
export * from './command-handling/handle-command';
export * from './projections/projection';
