import type { ParameterObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ref } from './api-schemas';

/** What the documentation says of one route beyond what the controllers declare. */
export interface OperationDoc {
  operationId: string;
  summary: string;
  tag: string;
  /** Answered without a token. */
  public?: boolean;
  responses: Record<string, ResponseObject>;
  /** Replaces the scanned parameters (which cannot say optional query values or headers). */
  parameters?: ParameterObject[];
}

const json = (schema: string, description: string): ResponseObject => ({ description, content: { 'application/json': { schema: ref(schema) } } });
const error = (description: string): ResponseObject => json('Status', description);

/** Errors any authenticated API call can answer. */
const COMMON_ERRORS: Record<string, ResponseObject> = {
  '400': error('Invalid argument (code 3) or failed precondition (code 9)'),
  '401': error('No or invalid bearer token (code 16)'),
  '403': error('The token lacks the permission (code 7, AUTH-5mWD2)'),
  '500': error('Internal error (code 13)'),
  '503': error('A store is unavailable (code 14); retry later'),
};
const withErrors = (responses: Record<string, ResponseObject>, extra: Record<string, string> = {}): Record<string, ResponseObject> => ({
  ...responses,
  ...COMMON_ERRORS,
  ...Object.fromEntries(Object.entries(extra).map(([status, description]) => [status, error(description)])),
});

/** Keyed by `<method> <OpenAPI path>`; a test checks that this table and the routes match. */
export const OPERATIONS: Record<string, OperationDoc> = {
  'post /v3alpha/targets': {
    operationId: 'CreateTarget',
    summary: 'Create a target (permission execution.target.write)',
    tag: 'Targets',
    responses: withErrors({ '201': json('CreateTargetResponse', 'Created') }, { '409': 'Name taken in this instance (code 6, INSTANCE-9axkz0jvzm)' }),
  },
  'put /v3alpha/targets/{targetId}': {
    operationId: 'UpdateTarget',
    summary: 'Update a target (permission execution.target.write)',
    tag: 'Targets',
    responses: withErrors({ '200': json('DetailsResponse', 'Updated') }, { '404': 'No such target (code 5)', '409': 'Name taken (code 6)' }),
  },
  'delete /v3alpha/targets/{targetId}': {
    operationId: 'DeleteTarget',
    summary: 'Delete a target (permission execution.target.delete); executions listing it drop it shortly after',
    tag: 'Targets',
    responses: withErrors({ '200': json('DetailsResponse', 'Deleted') }, { '404': 'No such target (code 5, COMMAND-k4s7ucu0ax)' }),
  },
  'get /v3alpha/targets/{targetId}': {
    operationId: 'GetTargetByID',
    summary: 'Get a target (permission execution.target.read)',
    tag: 'Targets',
    responses: withErrors({ '200': json('GetTargetResponse', 'The target') }, { '404': 'No such target (code 5)' }),
  },
  'post /v3alpha/targets/search': {
    operationId: 'ListTargets',
    summary: 'List targets (permission execution.target.read)',
    tag: 'Targets',
    responses: withErrors({ '200': json('ListTargetsResponse', 'Targets') }),
  },
  'put /v3alpha/executions': {
    operationId: 'SetExecution',
    summary: 'Create or replace the execution of a condition (permission execution.write)',
    tag: 'Executions',
    responses: withErrors(
      { '200': json('DetailsResponse', 'Set') },
      { '404': 'Method, service, function, target (COMMAND-17e8fq1ggk) or include not found (code 5)', '409': 'Lost a concurrent modification (code 10)' },
    ),
  },
  'delete /v3alpha/executions': {
    operationId: 'DeleteExecution',
    summary: 'Delete the execution of a condition (permission execution.delete)',
    tag: 'Executions',
    responses: withErrors({ '200': json('DetailsResponse', 'Deleted') }, { '404': 'No such execution (code 5, COMMAND-suq2upd3rt)', '409': 'Lost a concurrent modification (code 10)' }),
  },
  'post /v3alpha/executions/search': {
    operationId: 'ListExecutions',
    summary: 'List executions, ordered by id (permission execution.read)',
    tag: 'Executions',
    responses: withErrors({ '200': json('ListExecutionsResponse', 'Executions') }),
  },
  'get /v3alpha/executions/functions': {
    operationId: 'ListExecutionFunctions',
    summary: 'Functions executions can be set for (permission execution.read)',
    tag: 'Executions',
    responses: withErrors({ '200': json('ListFunctionsResponse', 'Function names') }),
  },
  'get /v3alpha/executions/methods': {
    operationId: 'ListExecutionMethods',
    summary: 'Methods request and response executions can be set for (permission execution.read)',
    tag: 'Executions',
    responses: withErrors({ '200': json('ListMethodsResponse', 'Full method names') }),
  },
  'get /v3alpha/executions/services': {
    operationId: 'ListExecutionServices',
    summary: 'Services request and response executions can be set for (permission execution.read)',
    tag: 'Executions',
    responses: withErrors({ '200': json('ListServicesResponse', 'Service names') }),
  },
  'get /v3alpha/events': {
    operationId: 'StreamEvents',
    summary: "The caller instance's events as Server-Sent Events, stored ones first, then live (permission execution.read or execution.target.read; each shows the events of the aggregates it reads)",
    tag: 'Events',
    parameters: [
      { name: 'fromPosition', in: 'query', required: false, description: 'First global position to send (inclusive); default 0', schema: { type: 'integer', minimum: 0 } },
      { name: 'Last-Event-ID', in: 'header', required: false, description: 'Resume after this position (the id of the last message received); wins over fromPosition', schema: { type: 'integer', minimum: 0 } },
    ],
    responses: withErrors({
      '200': {
        description:
          'text/event-stream. Each message: `id:` the global position, `event:` the event type, `data:` JSON {id, type, stream, aggregate {type, id, resourceOwner}, revision, sequence, position, createdAt, data, metadata {correlationId, causationId, actor}}. ' +
          'Comment lines (`: keep-alive`) every 15 s. Reconnect with `Last-Event-ID` to receive the events after that position.',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      },
    }),
  },
  'get /healthz': {
    operationId: 'Liveness',
    summary: 'Liveness: 200 while the process serves',
    tag: 'Operations',
    public: true,
    responses: { '200': json('HealthResult', 'Serving') },
  },
};
