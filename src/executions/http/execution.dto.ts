import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsDefined, IsInt, IsObject, IsOptional, IsString, Max, Min, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { IsInt64, IsProtoEnum, NonEmptyList, OneOf, withApiError } from '../../common/validation/decorators';
import { ExecutionErrors } from '../domain/execution-errors';
import { ConditionDto } from './condition.dto';

/** ExecutionTargetType: exactly one of target, include. */
export class ExecutionTargetDto {
  @OneOf(['target', 'include'])
  readonly oneof?: never;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(1000) target?: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ConditionDto) include?: ConditionDto;
}

export class SetExecutionDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ConditionDto) condition!: ConditionDto;

  @NonEmptyList(withApiError(ExecutionErrors.noTargets))
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ExecutionTargetDto)
  targets!: ExecutionTargetDto[];
}

export class DeleteExecutionDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ConditionDto) condition!: ConditionDto;
}

export class ListQueryDto {
  @IsOptional() @IsInt64(0) offset?: string | number;
  @IsOptional() @IsInt() @Min(0) @Max(4_294_967_295) limit?: number;
  @IsOptional() @IsBoolean() asc?: boolean;
}

export const EXECUTION_TYPES = ['EXECUTION_TYPE_UNSPECIFIED', 'EXECUTION_TYPE_REQUEST', 'EXECUTION_TYPE_RESPONSE', 'EXECUTION_TYPE_EVENT', 'EXECUTION_TYPE_FUNCTION'] as const;

export class InConditionsQueryDto {
  @IsArray() @ValidateNested({ each: true }) @Type(() => ConditionDto) conditions!: ConditionDto[];
}

export class ExecutionTypeQueryDto {
  @IsProtoEnum(EXECUTION_TYPES) executionType!: string | number;
}

export class TargetQueryDto {
  @IsString() @MaxLength(1000) targetId!: string;
}

export class IncludeQueryDto {
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ConditionDto) include!: ConditionDto;
}

/** SearchQuery: exactly one of the four filters. */
export class ExecutionSearchQueryDto {
  @OneOf(['inConditionsQuery', 'executionTypeQuery', 'targetQuery', 'includeQuery'])
  readonly oneof?: never;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => InConditionsQueryDto) inConditionsQuery?: InConditionsQueryDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ExecutionTypeQueryDto) executionTypeQuery?: ExecutionTypeQueryDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => TargetQueryDto) targetQuery?: TargetQueryDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => IncludeQueryDto) includeQuery?: IncludeQueryDto;
}

export class ListExecutionsDto {
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ListQueryDto) query?: ListQueryDto;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => ExecutionSearchQueryDto) queries?: ExecutionSearchQueryDto[];
}
