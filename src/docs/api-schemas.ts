import type { SchemaObject, ReferenceObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * Response shapes of the API (the controllers return plain objects, so they are described
 * here) and the error body. Field names and types follow the spec: int64 values are strings,
 * timestamps RFC 3339, durations strings such as "10s", and an execution's condition field is
 * spelled `Condition`.
 */
const ref = (name: string): ReferenceObject => ({ $ref: `#/components/schemas/${name}` });

const int64 = (example: string): SchemaObject => ({ type: 'string', format: 'int64', pattern: '^\\d+$', example });
const timestamp: SchemaObject = { type: 'string', format: 'date-time', example: '2024-06-25T13:35:39.383Z' };

export const RESPONSE_SCHEMAS: Record<string, SchemaObject> = {
  Details: {
    type: 'object',
    required: ['sequence', 'changeDate', 'resourceOwner'],
    properties: {
      sequence: { ...int64('2'), description: 'Sequence of the aggregate event the manipulation appended (on reads: the last one reduced)' },
      changeDate: timestamp,
      resourceOwner: { type: 'string', description: 'The instance (tenant) id' },
    },
  },
  ListDetails: {
    type: 'object',
    required: ['totalResult', 'processedSequence'],
    properties: {
      totalResult: int64('3'),
      processedSequence: { ...int64('120'), description: 'Position of the last event the projection reduced' },
      timestamp: { ...timestamp, description: 'Time of the last event the projection reduced' },
    },
  },
  Execution: {
    type: 'object',
    required: ['Condition', 'details', 'targets'],
    properties: {
      Condition: { ...ref('ConditionDto'), description: 'Spelled with a capital C, as ZITADEL emits it' } as SchemaObject,
      details: ref('Details'),
      targets: { type: 'array', items: ref('ExecutionTargetDto') },
    },
  },
  Target: {
    type: 'object',
    required: ['targetId', 'details', 'name', 'timeout', 'endpoint'],
    properties: {
      targetId: { type: 'string', example: '270497637491802133' },
      details: ref('Details'),
      name: { type: 'string', example: 'ip_allow_list' },
      restWebhook: { type: 'object', properties: { interruptOnError: { type: 'boolean' } }, description: 'Exactly one of restWebhook, restCall, restAsync' },
      restCall: { type: 'object', properties: { interruptOnError: { type: 'boolean' } } },
      restAsync: { type: 'object', properties: {} },
      timeout: { type: 'string', description: 'Duration', example: '10s' },
      endpoint: { type: 'string', format: 'uri', example: 'https://example.com/hooks/ip_check' },
    },
  },
  DetailsResponse: { type: 'object', required: ['details'], properties: { details: ref('Details') } },
  CreateTargetResponse: { type: 'object', required: ['id', 'details'], properties: { id: { type: 'string', example: '270497637491802133' }, details: ref('Details') } },
  GetTargetResponse: { type: 'object', required: ['target'], properties: { target: ref('Target') } },
  ListTargetsResponse: {
    type: 'object',
    required: ['details', 'sortingColumn', 'result'],
    properties: { details: ref('ListDetails'), sortingColumn: { type: 'string', example: 'TARGET_FIELD_NAME_UNSPECIFIED' }, result: { type: 'array', items: ref('Target') } },
  },
  ListExecutionsResponse: { type: 'object', required: ['details', 'result'], properties: { details: ref('ListDetails'), result: { type: 'array', items: ref('Execution') } } },
  ListFunctionsResponse: { type: 'object', required: ['functions'], properties: { functions: { type: 'array', items: { type: 'string' } } } },
  ListMethodsResponse: { type: 'object', required: ['methods'], properties: { methods: { type: 'array', items: { type: 'string' } } } },
  ListServicesResponse: { type: 'object', required: ['services'], properties: { services: { type: 'array', items: { type: 'string' } } } },
  Status: {
    type: 'object',
    description: 'Every error, grpc-gateway style: the gRPC code, a message ending in the error id, and the id again in details',
    required: ['code', 'message', 'details'],
    properties: {
      code: { type: 'integer', description: 'gRPC status code (3 InvalidArgument, 5 NotFound, 7 PermissionDenied, 14 Unavailable...)', example: 5 },
      message: { type: 'string', example: 'Execution not found (COMMAND-suq2upd3rt)' },
      details: {
        type: 'array',
        items: {
          type: 'object',
          required: ['@type', 'id', 'message'],
          properties: {
            '@type': { type: 'string', enum: ['type.googleapis.com/zitadel.v1.ErrorDetail'] },
            id: { type: 'string', example: 'COMMAND-suq2upd3rt' },
            message: { type: 'string', example: 'Execution not found' },
          },
        },
      },
    },
  },
  HealthResult: {
    type: 'object',
    description: 'Terminus health check result: `details` holds every check, `info` those up, `error` those down',
    properties: {
      status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
      info: { type: 'object', additionalProperties: true },
      error: { type: 'object', additionalProperties: true },
      details: { type: 'object', additionalProperties: true },
    },
  },
};

export { ref };
