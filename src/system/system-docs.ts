import type { OperationObject, PathsObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { COMMON_ERRORS, STATUS_REF } from '../api/openapi/derive-document';
import { toStatusBody, type ApiError } from '../common/errors/api-error';
import { DELIVERY_DESCRIPTION, DELIVERY_PROPERTIES } from '../api/openapi/operational-routes';
import { arraySchema, nullable, objectSchema, refsTo } from '../api/openapi/typed-schema';
import type {
  DeliveryRetry,
  FailedEventList,
  FailedEventRetry,
  FailedEventView,
  ParkedDeliveryList,
  ParkedDeliveryView,
  ProjectionList,
  ProjectionView,
  RebuildJob,
  SubscriberList,
  SubscriberReport,
} from './system-views';
import { noRebuild, notParked, rebuildRunning, unknownFailedEvent, unknownProjection, unknownSubscriber } from './system-errors';

const errorResponse = (description: string, example: ApiError): ResponseObject => ({ description, content: { 'application/json': { schema: STATUS_REF, example: toStatusBody(example) } } });
const ok = (description: string, schema: keyof typeof SYSTEM_SCHEMAS): ResponseObject => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } });
const pathParameter = (name: string, description: string) => ({ name, in: 'path' as const, required: true, description, schema: { type: 'string' as const } });

function operation(operationId: string, summary: string, permission: string, responses: Record<string, ResponseObject>, extra: Partial<OperationObject> = {}): OperationObject {
  return { operationId, summary: `${summary} (permission ${permission}, role SYSTEM_OWNER)`, tags: ['System'], ...extra, responses: { ...responses, ...COMMON_ERRORS } };
}

const projectionName = pathParameter('name', 'Projection name, as GET /system/v1/projections lists them');
const unknownProjectionResponse = errorResponse('No such projection (code 5, SYSTEM-4q8zr2mw7d)', unknownProjection('unknown', ['executions', 'targets']));

/** The operations endpoints (src/system): every instance's projections, subscribers and parked deliveries. */
export const SYSTEM_PATHS: PathsObject = {
  '/system/v1/projections': {
    get: operation('ListProjections', 'Every projection: checkpoint position, lag in events, status and its latest rebuild (started on any replica)', 'system.projections.read', {
      '200': ok('The projections', 'ProjectionList'),
    }),
  },
  '/system/v1/projections/{name}/rebuild': {
    post: operation(
      'StartProjectionRebuild',
      'Starts replaying the whole log into fresh tables of the projection, switched over in one transaction while the service serves; read the progress with GET on the same path',
      'system.projections.rebuild',
      {
        '202': ok('Started', 'RebuildProgress'),
        '404': unknownProjectionResponse,
        '409': errorResponse('A rebuild of this projection is already running, on this replica, another or the command line (code 10, SYSTEM-2h7tp0ys6e)', rebuildRunning('targets')),
      },
      { parameters: [projectionName] },
    ),
    get: operation(
      'GetProjectionRebuild',
      'The progress of the latest rebuild of the projection, started on any replica or the command line (read from the database they share), in events of its types (done / total)',
      'system.projections.read',
      { '200': ok('The rebuild', 'RebuildProgress'), '404': errorResponse('No such projection (SYSTEM-4q8zr2mw7d), or no rebuild of it started yet, through this API or the command line (code 5, SYSTEM-9c1kx5vb3n)', noRebuild('targets')) },
      { parameters: [projectionName] },
    ),
  },
  '/system/v1/subscribers': {
    get: operation('ListSubscribers', 'Every durable subscriber: position, lag in events, lease holder and failed events', 'system.subscribers.read', { '200': ok('The subscribers', 'SubscriberList') }),
  },
  '/system/v1/subscribers/failed-events': {
    get: operation(
      'ListFailedEvents',
      'Events a subscriber parked after its retries, still waiting to be handled, in log order',
      'system.subscribers.read',
      { '200': ok('The failed events', 'FailedEventList'), '404': errorResponse('No such subscriber (code 5, SYSTEM-6f3ma9qj1u)', unknownSubscriber('unknown', ['execution-target-cleanup'])) },
      { parameters: [{ name: 'subscriber', in: 'query', required: false, description: 'Only this subscriber\'s events', schema: { type: 'string' } }] },
    ),
  },
  '/system/v1/subscribers/failed-events/{id}/retry': {
    post: operation(
      'RetryFailedEvent',
      "Delivers a failed event once more with the subscriber's handler; `resolved` tells whether it was handled this time",
      'system.subscribers.retry',
      { '200': ok('Retried', 'RetriedFailedEvent'), '404': errorResponse('No failed event with this id (code 5, SYSTEM-8w5nc4lr0g)', unknownFailedEvent('42')) },
      { parameters: [pathParameter('id', 'Failed event id, as listed')] },
    ),
  },
  '/system/v1/deliveries': {
    get: operation('ListParkedDeliveries', 'Parked event deliveries of every instance, oldest first, at most 1,000', 'system.deliveries.read', { '200': ok('The deliveries', 'ParkedDeliveryList') }),
  },
  '/system/v1/deliveries/{id}/retry': {
    post: operation(
      'RetryParkedDelivery',
      "Makes a parked delivery pending again from its first attempt; the service's workers send it",
      'system.deliveries.retry',
      { '200': ok('Pending again', 'RetriedDelivery'), '404': errorResponse('No parked delivery with this id (code 5, SYSTEM-1b6vd8hk2x)', notParked('42')) },
      { parameters: [pathParameter('id', 'Delivery id, as listed')] },
    ),
  },
};

const rebuildProgress = objectSchema<RebuildJob>({
  projection: { type: 'string', example: 'targets' },
  state: { type: 'string', enum: ['running', 'done', 'failed'] },
  phase: { type: 'string', enum: ['replaying', 'switching', 'done'] },
  done: { type: 'integer', description: "Events of the projection's types reduced so far" },
  total: { type: 'integer', description: "Events of the projection's types in the log when the rebuild started" },
  eventsPerSecond: { type: 'integer' },
  etaSeconds: { type: 'integer', nullable: true },
  startedAt: { type: 'string', format: 'date-time' },
  finishedAt: { type: 'string', format: 'date-time', nullable: true },
  position: { type: 'integer', nullable: true, description: 'The live checkpoint after the switch, once done' },
  error: { type: 'string', nullable: true, description: 'Why it failed (also: the process running it stopped writing its progress)' },
});

const failedEvent = objectSchema<FailedEventView>({
  id: { type: 'string', example: '7' },
  subscriber: { type: 'string', example: 'execution-target-cleanup' },
  position: { type: 'integer' },
  type: { type: 'string', example: 'execution.v2.set' },
  stream: { type: 'string' },
  attempts: { type: 'integer' },
  error: { type: 'string' },
  firstFailedAt: { type: 'string', format: 'date-time' },
  lastFailedAt: { type: 'string', format: 'date-time' },
  status: { type: 'string', enum: ['failed', 'resolved'] },
});

/** The components the others refer to. */
const REFERENCED = { RebuildProgress: rebuildProgress, FailedEvent: failedEvent };
const refs = refsTo(REFERENCED);

const projection = objectSchema<ProjectionView>({
  name: { type: 'string', example: 'targets' },
  position: { type: 'integer', description: 'Checkpoint: the log is reduced up to here' },
  lagEvents: { type: 'integer', description: 'Events stored after the checkpoint (counted up to 100,000)' },
  status: { type: 'string', enum: ['live', 'failing', 'rebuilding'] },
  eventsProcessed: { type: 'integer' },
  lastEventAt: { type: 'string', format: 'date-time', nullable: true },
  lastError: { type: 'string', nullable: true },
  rebuild: nullable(refs.RebuildProgress),
});

const subscriber = objectSchema<SubscriberReport>({
  name: { type: 'string', example: 'execution-target-cleanup' },
  position: { type: 'integer' },
  lagEvents: { type: 'integer' },
  leaseHolder: { type: 'string', nullable: true, description: 'The runner holding the lease (host:pid:random)' },
  leaseUntil: { type: 'string', format: 'date-time', nullable: true },
  heldHere: { type: 'boolean', description: 'This replica holds the lease' },
  failedEvents: { type: 'integer', description: 'Events parked and not yet handled' },
});

/** A delivery of the runtime's list, with the instance it belongs to. */
const parkedDelivery = objectSchema<ParkedDeliveryView>({ instanceId: { type: 'string', description: 'The instance (tenant) of the event' }, ...DELIVERY_PROPERTIES }, { description: DELIVERY_DESCRIPTION });

/** The bodies of the operations endpoints, each checked against the type its controller returns (system-views.ts). */
export const SYSTEM_SCHEMAS = {
  ...REFERENCED,
  ParkedDeliveryList: objectSchema<ParkedDeliveryList>({ deliveries: arraySchema(parkedDelivery) }),
  ProjectionList: objectSchema<ProjectionList>({ headPosition: { type: 'integer', description: 'The last position of the log' }, projections: arraySchema(projection) }),
  SubscriberList: objectSchema<SubscriberList>({ subscribers: arraySchema(subscriber) }),
  FailedEventList: objectSchema<FailedEventList>({ failedEvents: arraySchema(refs.FailedEvent) }),
  RetriedFailedEvent: objectSchema<FailedEventRetry>({
    resolved: { type: 'boolean', description: 'Handled this time (false: it failed again, attempts bumped)' },
    failedEvent: refs.FailedEvent,
  }),
  RetriedDelivery: objectSchema<DeliveryRetry>({ retried: { type: 'string', description: 'The delivery id, now pending' } }),
} satisfies Record<string, SchemaObject>;
