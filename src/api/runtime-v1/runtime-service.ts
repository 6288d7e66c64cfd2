import { Injectable } from '@nestjs/common';
import { create, fromJson, toJson, type JsonValue } from '@bufbuild/protobuf';
import { ListValueSchema, ValueSchema, type ListValue, type Timestamp, type Value } from '@bufbuild/protobuf/wkt';
import type { Caller } from '../../auth/caller';
import {
  PublishEventsResponseSchema,
  RunFunctionResponseSchema,
  RunRequestResponseSchema,
  RunResponseResponseSchema,
  type Event,
  type PublishEventsRequest,
  type PublishEventsResponse,
  type RunFunctionRequest,
  type RunFunctionResponse,
  type RunRequestRequest,
  type RunRequestResponse,
  type RunResponseRequest,
  type RunResponseResponse,
} from '../../grpc/gen/actions/runtime/v1/runtime_service_pb';
import type { HeaderValues, RunContext } from '../../runtime/domain/call-bodies';
import type { PublishedEvent } from '../../runtime/domain/published-event';
import { EventPublisher } from '../../runtime/publish/event-publisher';
import { RunService, type MethodRun } from '../../runtime/run/run-service';

/**
 * actions.runtime.v1.RuntimeService: request messages to runs and publications, their results
 * to response messages; called by REST and every RPC protocol alike. Free-form JSON travels as
 * google.protobuf.Value, so targets see exactly the JSON the host sent.
 */
@Injectable()
export class RuntimeV1Service {
  constructor(
    private readonly runs: RunService,
    private readonly publisher: EventPublisher,
  ) {}

  // With no restCall answer (no execution at all, most often) the host's own Value is answered
  // as it came: nothing is converted to JSON and back.
  async runRequest(caller: Caller, request: RunRequestRequest): Promise<RunRequestResponse> {
    const replaced = await this.runs.runRequest(methodRun(caller, request), () => jsonOf(request.request));
    return create(RunRequestResponseSchema, { request: replaced === undefined ? request.request : valueOf(replaced.value) });
  }

  async runResponse(caller: Caller, request: RunResponseRequest): Promise<RunResponseResponse> {
    const replaced = await this.runs.runResponse(methodRun(caller, request), () => jsonOf(request.request), () => jsonOf(request.response));
    return create(RunResponseResponseSchema, { response: replaced === undefined ? request.response : valueOf(replaced.value) });
  }

  async runFunction(caller: Caller, request: RunFunctionRequest): Promise<RunFunctionResponse> {
    const gathered = await this.runs.runFunction(caller.instanceId, request.name, request.payload ?? {});
    return create(RunFunctionResponseSchema, {
      setUserMetadata: gathered.setUserMetadata.map(valueOf),
      appendClaims: gathered.appendClaims.map(valueOf),
      appendLogClaims: gathered.appendLogClaims.map(valueOf),
    });
  }

  async publishEvents(caller: Caller, request: PublishEventsRequest): Promise<PublishEventsResponse> {
    const result = await this.publisher.publish(caller.instanceId, caller.subject, request.events.map(publishedEvent));
    return create(PublishEventsResponseSchema, result);
  }
}

interface RunFields {
  fullMethod: string;
  headers: { [name: string]: ListValue };
  userId: string;
  orgId: string;
  projectId: string;
}

const methodRun = (caller: Caller, fields: RunFields): MethodRun => ({
  instanceId: caller.instanceId,
  fullMethod: fields.fullMethod,
  context: () => runContext(caller, fields),
});

/** The run's context: the caller's instance, and what the host said of the call (empty fields left out). */
function runContext(caller: Caller, fields: RunFields): RunContext {
  const headers: HeaderValues = {};
  // The proto's rules let only strings into header values.
  for (const [name, values] of Object.entries(fields.headers)) headers[name] = toJson(ListValueSchema, values) as string[];
  return {
    instanceId: caller.instanceId,
    fullMethod: fields.fullMethod,
    ...(fields.userId !== '' && { userId: fields.userId }),
    ...(fields.orgId !== '' && { orgId: fields.orgId }),
    ...(fields.projectId !== '' && { projectId: fields.projectId }),
    ...(Object.keys(headers).length > 0 && { headers }),
  };
}

const jsonOf = (value: Value | undefined): JsonValue => (value === undefined ? null : toJson(ValueSchema, value));

// What targets answer is parsed JSON, so it always fits a Value.
const valueOf = (json: unknown): Value => fromJson(ValueSchema, json as JsonValue);

function publishedEvent(event: Event): PublishedEvent {
  return {
    id: event.id,
    aggregateId: event.aggregateId,
    aggregateType: event.aggregateType,
    ...(event.resourceOwner !== '' && { resourceOwner: event.resourceOwner }),
    ...(event.version !== '' && { version: event.version }),
    // At most 2^53 - 1 by the proto's rule.
    sequence: Number(event.sequence),
    eventType: event.eventType,
    createdAt: rfc3339Nanos(event.createdAt!),
    ...(event.userId !== '' && { userId: event.userId }),
    payload: jsonOf(event.payload),
  };
}

/** `2026-01-02T03:04:05.123456789Z`: always nine fractional digits, as ZITADEL's event bodies carry. */
function rfc3339Nanos(timestamp: Timestamp): string {
  const seconds = new Date(Number(timestamp.seconds) * 1000).toISOString().slice(0, 19);
  return `${seconds}.${String(timestamp.nanos).padStart(9, '0')}Z`;
}
