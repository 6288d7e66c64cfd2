import { ApiError, failedPrecondition, invalidArgument, notFound } from '../../common/errors/api-error';

/** Names what was asked for and where the known ones are listed. */
function notInCatalogue(kind: string, value: string, list: string, rpc: string): string {
  return `${kind} not found: "${value}" is not in the catalogue; GET /v3alpha/executions/${list} (${rpc}) lists the known ones`;
}

/**
 * The error ids clients match on; they are ZITADEL's, so existing clients keep working. Ids of
 * pure field rules (COMMAND-3tkej630e6, COMMAND-w5smb6v7qu) live only in the proto's rules.
 */
export const ExecutionErrors = {
  functionNameEmpty: (): ApiError => invalidArgument('COMMAND-5folwn5jws', 'Function condition needs a name'),
  methodNotFound: (method: string): ApiError => notFound('COMMAND-vysplsevt8', notInCatalogue('Method', method, 'methods', 'ListExecutionMethods')),
  serviceNotFound: (service: string): ApiError => notFound('COMMAND-qu6dfhiioq', notInCatalogue('Service', service, 'services', 'ListExecutionServices')),
  functionNotFound: (name: string): ApiError => notFound('COMMAND-cdy39t0ksr', notInCatalogue('Function', name, 'functions', 'ListExecutionFunctions')),
  noTargets: (): ApiError => invalidArgument('COMMAND-56bteot2uj', 'Execution needs at least one target'),
  tooManyTargets: (max: number): ApiError => invalidArgument('COMMAND-yb90lkf00w', `targets may list at most ${max} entries`),
  targetListedTwice: (field: string): ApiError =>
    invalidArgument('COMMAND-uswx8q3be8', `${field} is listed twice: name each target and include once`),
  targetNotFound: (): ApiError => notFound('COMMAND-17e8fq1ggk', 'Target not found'),
  includeNotFound: (): ApiError => notFound('COMMAND-slgj0l4cdz', 'Included execution not found'),
  includesItself: (): ApiError => failedPrecondition('COMMAND-mo1cmjp5k7', 'Execution cannot include itself'),
  includedIncludesItself: (): ApiError => failedPrecondition('COMMAND-iuch02i656', 'Included execution includes itself'),
  includeCycle: (): ApiError => failedPrecondition('COMMAND-819opvhgjv', 'Include chain leads back to this execution'),
  includeTooDeep: (): ApiError => failedPrecondition('COMMAND-gbhd3g57oo', 'Includes are nested deeper than 3 levels'),
  executionNotFound: (): ApiError => notFound('COMMAND-suq2upd3rt', 'Execution not found'),
  invalidConditionValue: (field: string, problem: string): ApiError => invalidArgument('COMMAND-cndv4lu3x1', `${field} ${problem}`),
};
