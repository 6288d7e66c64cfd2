import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { OneOf, withApiError } from '../../common/validation/decorators';
import { dtoOf, isPlainObject, isStringOfLength, namesOneofAnchor, soleBranch } from '../../common/validation/fast-parsers';
import { ExecutionErrors } from '../domain/execution-errors';

const MAX = 1000;

/** `request` / `response`: exactly one of method, service, all. */
export class RequestConditionDto {
  @OneOf(['method', 'service', 'all'], { whenNone: ExecutionErrors.requestConditionEmpty })
  readonly oneof?: never;

  @ApiPropertyOptional({ description: 'Full method name; exactly one of method, service, all', example: '/zitadel.session.v2.SessionService/ListSessions', minLength: 1, maxLength: MAX })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(MAX) method?: string;
  @ApiPropertyOptional({ description: 'Service name', example: 'zitadel.session.v2.SessionService', minLength: 1, maxLength: MAX })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(MAX) service?: string;
  @ApiPropertyOptional({ description: 'Every request (or response)', example: true })
  @IsOptional() @IsBoolean() all?: boolean;
}

export class EventConditionDto {
  @OneOf(['event', 'group', 'all'], { whenNone: ExecutionErrors.eventConditionEmpty })
  readonly oneof?: never;

  @ApiPropertyOptional({ description: 'Event type; exactly one of event, group, all', example: 'user.human.added', minLength: 1, maxLength: MAX })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(MAX) event?: string;
  @ApiPropertyOptional({ description: 'Event group, with or without the `.*` suffix', example: 'user.human', minLength: 1, maxLength: MAX })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(MAX) group?: string;
  @ApiPropertyOptional({ description: 'Every event', example: true })
  @IsOptional() @IsBoolean() all?: boolean;
}

export class FunctionConditionDto {
  @ApiProperty({ example: 'Action.Flow.Type.ExternalAuthentication.Action.TriggerType.PostAuthentication', minLength: 1, maxLength: MAX })
  @IsDefined(withApiError(ExecutionErrors.functionNameEmpty))
  @IsString()
  @MinLength(1, withApiError(ExecutionErrors.functionNameEmpty))
  @MaxLength(MAX)
  name!: string;
}

/** Condition: exactly one of request, response, function, event. */
export class ConditionDto {
  @OneOf(['request', 'response', 'function', 'event'])
  readonly oneof?: never;

  @ApiPropertyOptional({ type: () => RequestConditionDto, description: 'Exactly one of request, response, function, event' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RequestConditionDto) request?: RequestConditionDto;
  @ApiPropertyOptional({ type: () => RequestConditionDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RequestConditionDto) response?: RequestConditionDto;
  @ApiPropertyOptional({ type: () => FunctionConditionDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => FunctionConditionDto) function?: FunctionConditionDto;
  @ApiPropertyOptional({ type: () => EventConditionDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => EventConditionDto) event?: EventConditionDto;
}

/**
 * The fast reading of a condition (see fast-parsers.ts): exactly one branch, holding exactly
 * one valid choice, and nothing else the rules look at; undefined for anything else.
 */
export function parseConditionDto(value: unknown): ConditionDto | undefined {
  if (!isPlainObject(value) || namesOneofAnchor(value)) return undefined;
  const branch = soleBranch(value, CONDITION_BRANCHES);
  if (branch === undefined) return undefined;
  const inner = value[branch];
  if (branch === 'function') {
    if (!isPlainObject(inner) || !isStringOfLength(inner.name, 1, MAX)) return undefined;
    return dtoOf(ConditionDto, { function: dtoOf(FunctionConditionDto, { name: inner.name }) });
  }
  if (branch === 'event') {
    const event = parseChoice(inner, ['event', 'group', 'all'] as const);
    return event && dtoOf(ConditionDto, { event: dtoOf(EventConditionDto, event) });
  }
  const request = parseChoice(inner, ['method', 'service', 'all'] as const);
  return request && dtoOf(ConditionDto, { [branch]: dtoOf(RequestConditionDto, request) });
}

const CONDITION_BRANCHES = ['request', 'response', 'function', 'event'] as const;

/** A `{ <name>: "..." }` or `{ all: true }` choice of a request, response or event condition. */
function parseChoice<K extends string>(value: unknown, choices: readonly [K, K, 'all']): Choice<K> | undefined {
  if (!isPlainObject(value) || namesOneofAnchor(value)) return undefined;
  const choice = soleBranch<K | 'all'>(value, choices);
  if (choice === undefined) return undefined;
  const chosen = value[choice];
  if (choice === 'all') return chosen === true ? ({ all: true } as Choice<K>) : undefined;
  return isStringOfLength(chosen, 1, MAX) ? ({ [choice]: chosen } as Choice<K>) : undefined;
}

type Choice<K extends string> = Partial<Record<K, string>> & { all?: boolean };
