export interface Details {
  sequence?: string;
  changeDate?: string;
  creationDate?: string;
  resourceOwner?: string;
}

export interface ListDetails {
  totalResult?: string;
  processedSequence?: string;
  timestamp?: string;
}

export type TargetType = 'restWebhook' | 'restCall' | 'restAsync';
export const TARGET_TYPES: readonly { value: TargetType; label: string; help: string }[] = [
  { value: 'restWebhook', label: 'Webhook', help: 'Called with the request; its answer is ignored' },
  { value: 'restCall', label: 'Call', help: 'Called with the request; its answer replaces the request' },
  { value: 'restAsync', label: 'Async', help: 'Called without waiting for an answer' },
];

export interface Target {
  targetId: string;
  details?: Details;
  name: string;
  restWebhook?: { interruptOnError?: boolean };
  restCall?: { interruptOnError?: boolean };
  restAsync?: Record<string, never>;
  timeout: string;
  endpoint: string;
}

export function targetTypeOf(target: Target): TargetType {
  if (target.restCall) return 'restCall';
  if (target.restAsync) return 'restAsync';
  return 'restWebhook';
}

export function interruptsOnError(target: Target): boolean {
  return Boolean(target.restWebhook?.interruptOnError ?? target.restCall?.interruptOnError);
}

export type Condition =
  | { request: { method?: string; service?: string; all?: boolean } }
  | { response: { method?: string; service?: string; all?: boolean } }
  | { event: { event?: string; group?: string; all?: boolean } }
  | { function: { name: string } };

export type ConditionKind = 'request' | 'response' | 'event' | 'function';

export interface ExecutionTarget {
  target?: string;
  include?: Condition;
}

export interface Execution {
  condition: Condition;
  details?: Details;
  targets: ExecutionTarget[];
}

/** ListExecutions names the condition `Condition` (ZITADEL's JSON); either spelling is read. */
export interface ExecutionJson {
  Condition?: Condition;
  condition?: Condition;
  details?: Details;
  targets?: ExecutionTarget[];
}

export function conditionKind(condition: Condition): ConditionKind {
  if ('request' in condition) return 'request';
  if ('response' in condition) return 'response';
  if ('event' in condition) return 'event';
  return 'function';
}

/** A condition in words, as the execution's id spells it (`request/pkg.Service/Method`). */
export function describeCondition(condition: Condition): string {
  if ('request' in condition || 'response' in condition) {
    const value = 'request' in condition ? condition.request : condition.response;
    return value.method ?? value.service ?? 'all';
  }
  if ('event' in condition) return condition.event.event ?? (condition.event.group ? `${condition.event.group}.*` : 'all');
  return condition.function.name;
}
