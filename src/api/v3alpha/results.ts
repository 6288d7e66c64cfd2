import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate, type Duration } from '@bufbuild/protobuf/wkt';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import type { ObjectDetails } from '../../common/domain/object-details';
import type { ListDetails as ListDetailsResult } from '../../common/read-model/list';
import type { ExecutionView } from '../../executions/queries/execution.view';
import { DetailsSchema, ListDetailsSchema, type Details, type ListDetails } from '../../grpc/gen/zitadel/object/v2beta/object_pb';
import { ExecutionSchema, type Execution } from '../../grpc/gen/zitadel/action/v3alpha/execution_pb';
import { TargetSchema, type Target } from '../../grpc/gen/zitadel/action/v3alpha/target_pb';
import { TargetType } from '../../targets/domain/target-events';
import type { TargetView } from '../../targets/queries/target.view';
import { conditionToMessage } from './conditions';

const NANOS_PER_SECOND = 1_000_000_000;

export const detailsMessage = (details: ObjectDetails): Details =>
  create(DetailsSchema, { sequence: BigInt(details.sequence), changeDate: timestampFromDate(details.changeDate), resourceOwner: details.resourceOwner });

export const listDetailsMessage = (details: ListDetailsResult): ListDetails =>
  create(ListDetailsSchema, {
    totalResult: BigInt(details.totalResult),
    processedSequence: BigInt(details.processedSequence),
    timestamp: details.timestamp ? timestampFromDate(details.timestamp) : undefined,
  });

export const durationMessage = (nanos: number): Duration =>
  create(DurationSchema, { seconds: BigInt(Math.floor(nanos / NANOS_PER_SECOND)), nanos: nanos % NANOS_PER_SECOND });

export const nanosOf = (duration: Duration): number => Number(duration.seconds) * NANOS_PER_SECOND + duration.nanos;

export const executionMessage = (execution: ExecutionView): Execution =>
  create(ExecutionSchema, {
    condition: conditionToMessage(execution.condition),
    details: detailsMessage(execution.details),
    targets: execution.targets.map((entry) =>
      'target' in entry ? { type: { case: 'target' as const, value: entry.target } } : { type: { case: 'include' as const, value: conditionToMessage(entry.include) } },
    ),
  });

export function targetMessage(target: TargetView): Target {
  const settings = { interruptOnError: target.interruptOnError };
  const targetType: MessageInitShape<typeof TargetSchema>['targetType'] =
    target.targetType === TargetType.Webhook
      ? { case: 'restWebhook', value: settings }
      : target.targetType === TargetType.Call
        ? { case: 'restCall', value: settings }
        : { case: 'restAsync', value: {} };
  return create(TargetSchema, {
    targetId: target.id,
    details: detailsMessage(target.details),
    name: target.name,
    targetType,
    timeout: durationMessage(target.timeout),
    endpoint: target.endpoint,
  });
}
