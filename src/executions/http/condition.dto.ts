import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { OneOf, withApiError } from '../../common/validation/decorators';
import { ExecutionErrors } from '../domain/execution-errors';

const MAX = 1000;

/** `request` / `response`: exactly one of method, service, all. */
export class RequestConditionDto {
  @OneOf(['method', 'service', 'all'], { whenNone: ExecutionErrors.requestConditionEmpty })
  readonly oneof?: never;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(MAX) method?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(MAX) service?: string;
  @IsOptional() @IsBoolean() all?: boolean;
}

export class EventConditionDto {
  @OneOf(['event', 'group', 'all'], { whenNone: ExecutionErrors.eventConditionEmpty })
  readonly oneof?: never;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(MAX) event?: string;
  @IsOptional() @IsString() @MinLength(1) @MaxLength(MAX) group?: string;
  @IsOptional() @IsBoolean() all?: boolean;
}

export class FunctionConditionDto {
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

  @IsOptional() @IsObject() @ValidateNested() @Type(() => RequestConditionDto) request?: RequestConditionDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RequestConditionDto) response?: RequestConditionDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => FunctionConditionDto) function?: FunctionConditionDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => EventConditionDto) event?: EventConditionDto;
}
