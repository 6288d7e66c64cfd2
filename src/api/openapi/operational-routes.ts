import type { PathsObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { DeliveryList, DeliveryView } from '../../runtime/deliveries/delivery-json';
import { COMMON_ERRORS } from './derive-document';
import { arraySchema, objectSchema, optional, type PropertySchemas } from './typed-schema';

/**
 * The routes that belong to no API proto: the event stream and the operational endpoints.
 * Their shapes are not protobuf messages, so they are described here.
 */
const health = (description: string): ResponseObject => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/HealthResult' } } } });

export const OPERATIONAL_PATHS: PathsObject = {
  '/v3alpha/events': {
    get: {
      operationId: 'StreamEvents',
      summary: "The caller instance's events as Server-Sent Events, stored ones first, then live (permission execution.read or execution.target.read; each shows the events of the aggregates it reads)",
      tags: ['Events'],
      parameters: [
        { name: 'fromPosition', in: 'query', required: false, description: 'First log position to send (inclusive), such as a consistency token of a write; default 0 (from the beginning)', schema: { type: 'integer', minimum: 0 } },
        { name: 'Last-Event-ID', in: 'header', required: false, description: 'Resume after the message with this id (the id of the last message received, an opaque cursor of the caller instance); wins over fromPosition', schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          description:
            'text/event-stream. Each message: `id:` an opaque cursor (readable by this instance only, no log position), `event:` the event type, `data:` JSON {id, type, stream, aggregate {type, id, resourceOwner}, revision, sequence, cursor, createdAt, data, metadata {correlationId, causationId, actor}}. ' +
            'Comment lines (`: keep-alive`) every 15 s. Reconnect with `Last-Event-ID` to receive exactly the events after that message.',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        ...COMMON_ERRORS,
      },
    },
  },
  '/runtime/v1/deliveries': {
    get: {
      operationId: 'ListDeliveries',
      summary: "The caller instance's event deliveries that are parked (after their last attempt) or pending, oldest first, at most 1,000 (permission action.target.read)",
      tags: ['Runtime'],
      parameters: [{ name: 'state', in: 'query', required: false, description: 'Which deliveries to list; default parked', schema: { type: 'string', enum: ['parked', 'pending'] } }],
      responses: {
        '200': { description: 'The deliveries', content: { 'application/json': { schema: { $ref: '#/components/schemas/DeliveryList' } } } },
        ...COMMON_ERRORS,
      },
    },
  },
  '/healthz': {
    get: { operationId: 'Liveness', summary: 'Liveness: 200 while the process serves', tags: ['Operations'], security: [], responses: { '200': health('Serving') } },
  },
};

/** A delivery of GET /runtime/v1/deliveries, and (with its instance) of GET /system/v1/deliveries. */
export const DELIVERY_PROPERTIES: PropertySchemas<DeliveryView> = {
  id: { type: 'string', example: '42' },
  eventId: { type: 'string', description: 'The published event id (or the stored event id of the service\'s own events); with targetId it makes the Idempotency-Key' },
  eventType: { type: 'string', example: 'user.human.added' },
  targetId: { type: 'string' },
  state: { type: 'string', enum: ['parked', 'pending'] },
  attempts: { type: 'integer', description: 'Attempts made so far' },
  lastError: optional({ type: 'string', description: 'Why the last attempt failed', example: 'answered 500' }),
  createdAt: { type: 'string', format: 'date-time', description: 'When the event was stored; DELIVERY_MAX_AGE counts from here' },
  nextAttemptAt: optional({ type: 'string', format: 'date-time', description: 'Pending only: the earliest next attempt' }),
};
export const DELIVERY_DESCRIPTION = 'One event sent to one target of its event execution; `deliveries retry <id>` on the command line sends a parked one again';

/** The error body of every API error, and the health check result. */
export const SHARED_SCHEMAS: Record<string, SchemaObject> = {
  Status: {
    type: 'object',
    description: 'Every error, grpc-gateway style: the gRPC code, a message ending in the error id, and the id again in details',
    required: ['code', 'message', 'details'],
    properties: {
      // No examples here: each error response carries the example of its own status.
      code: { type: 'integer', description: 'gRPC status code (3 InvalidArgument, 5 NotFound, 7 PermissionDenied, 14 Unavailable...)' },
      message: { type: 'string', description: 'What went wrong, ending in the error id in parentheses' },
      details: {
        type: 'array',
        items: {
          type: 'object',
          required: ['@type', 'id', 'message'],
          properties: {
            '@type': { type: 'string', enum: ['type.googleapis.com/zitadel.v1.ErrorDetail'] },
            id: { type: 'string', description: 'Stable error id, such as COMMAND-suq2upd3rt' },
            message: { type: 'string' },
          },
        },
      },
    },
  },
  DeliveryList: objectSchema<DeliveryList>({ deliveries: arraySchema(objectSchema<DeliveryView>(DELIVERY_PROPERTIES, { description: DELIVERY_DESCRIPTION })) }),
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
