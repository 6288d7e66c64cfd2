import type { PublishedEvent } from './published-event';

/** Headers as a host passes them: name -> values. */
export type HeaderValues = Record<string, string[]>;

/** The context of a request or response run, as the host tells it. */
export interface RunContext {
  instanceId: string;
  fullMethod: string;
  userId?: string;
  orgId?: string;
  projectId?: string;
  headers?: HeaderValues;
}

type JsonBody = Record<string, unknown>;

/** Empty fields are left out, as ZITADEL does. */
function withoutEmpty(body: JsonBody): JsonBody {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined && value !== '' && value !== null));
}

/** `{fullMethod, instanceID, orgID, projectID, userID, request, headers}` (+ `response` for responses). */
export function requestCallBody(context: RunContext, request: unknown, response?: unknown): JsonBody {
  const headers = context.headers && Object.keys(context.headers).length > 0 ? context.headers : undefined;
  return withoutEmpty({
    fullMethod: context.fullMethod,
    instanceID: context.instanceId,
    orgID: context.orgId,
    projectID: context.projectId,
    userID: context.userId,
    request,
    response,
    headers,
  });
}

/** `{function: <name>, ...payload}`. */
export function functionCallBody(name: string, payload: Record<string, unknown>): JsonBody {
  return { function: name, ...payload };
}

/** ZITADEL's event body; the payload goes base64-encoded as `event_payload`. */
export function eventCallBody(instanceId: string, event: PublishedEvent): JsonBody {
  return withoutEmpty({
    aggregateID: event.aggregateId,
    aggregateType: event.aggregateType,
    resourceOwner: event.resourceOwner,
    instanceID: instanceId,
    version: event.version,
    sequence: event.sequence,
    event_type: event.eventType,
    created_at: event.createdAt,
    userID: event.userId,
    event_payload: Buffer.from(JSON.stringify(event.payload)).toString('base64'),
  });
}
