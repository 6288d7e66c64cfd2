import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsDefined, IsInt, IsObject, IsOptional, IsString, Max, Min, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { IsInt64, IsProtoEnum, NonEmptyList, OneOf, withApiError } from '../../common/validation/decorators';
import { ExecutionErrors } from '../domain/execution-errors';
import { ConditionDto } from './condition.dto';

/** ExecutionTargetType: exactly one of target, include. */
export class ExecutionTargetDto {
  @OneOf(['target', 'include'])
  readonly oneof?: never;

  @ApiPropertyOptional({ description: 'A target id; exactly one of target, include', example: '270497637491802133', minLength: 1, maxLength: 1000 })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(1000) target?: string;
  @ApiPropertyOptional({ type: () => ConditionDto, description: 'Another execution, whose targets are called too' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ConditionDto) include?: ConditionDto;
}

export class SetExecutionDto {
  @ApiProperty({ type: () => ConditionDto })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ConditionDto) condition!: ConditionDto;

  @ApiProperty({ type: () => [ExecutionTargetDto], minItems: 1 })
  @NonEmptyList(withApiError(ExecutionErrors.noTargets))
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ExecutionTargetDto)
  targets!: ExecutionTargetDto[];
}

export class DeleteExecutionDto {
  @ApiProperty({ type: () => ConditionDto })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ConditionDto) condition!: ConditionDto;
}

export class ListQueryDto {
  @ApiPropertyOptional({ oneOf: [{ type: 'string', format: 'int64' }, { type: 'integer' }], description: 'int64, as a string or a number', example: '0' })
  @IsOptional() @IsInt64(0) offset?: string | number;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 4_294_967_295, example: 100 })
  @IsOptional() @IsInt() @Min(0) @Max(4_294_967_295) limit?: number;
  @ApiPropertyOptional({ example: false })
  @IsOptional() @IsBoolean() asc?: boolean;
}

export const EXECUTION_TYPES = ['EXECUTION_TYPE_UNSPECIFIED', 'EXECUTION_TYPE_REQUEST', 'EXECUTION_TYPE_RESPONSE', 'EXECUTION_TYPE_EVENT', 'EXECUTION_TYPE_FUNCTION'] as const;

export class InConditionsQueryDto {
  @ApiProperty({ type: () => [ConditionDto] })
  @IsArray() @ValidateNested({ each: true }) @Type(() => ConditionDto) conditions!: ConditionDto[];
}

export class ExecutionTypeQueryDto {
  @ApiProperty({ oneOf: [{ type: 'string', enum: [...EXECUTION_TYPES] }, { type: 'integer', minimum: 0, maximum: 4 }], example: 'EXECUTION_TYPE_REQUEST' })
  @IsProtoEnum(EXECUTION_TYPES) executionType!: string | number;
}

export class TargetQueryDto {
  @ApiProperty({ maxLength: 1000 })
  @IsString() @MaxLength(1000) targetId!: string;
}

export class IncludeQueryDto {
  @ApiProperty({ type: () => ConditionDto })
  @IsDefined() @IsObject() @ValidateNested() @Type(() => ConditionDto) include!: ConditionDto;
}

/** SearchQuery: exactly one of the four filters. */
export class ExecutionSearchQueryDto {
  @OneOf(['inConditionsQuery', 'executionTypeQuery', 'targetQuery', 'includeQuery'])
  readonly oneof?: never;

  @ApiPropertyOptional({ type: () => InConditionsQueryDto, description: 'Exactly one of the four queries' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => InConditionsQueryDto) inConditionsQuery?: InConditionsQueryDto;
  @ApiPropertyOptional({ type: () => ExecutionTypeQueryDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ExecutionTypeQueryDto) executionTypeQuery?: ExecutionTypeQueryDto;
  @ApiPropertyOptional({ type: () => TargetQueryDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => TargetQueryDto) targetQuery?: TargetQueryDto;
  @ApiPropertyOptional({ type: () => IncludeQueryDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => IncludeQueryDto) includeQuery?: IncludeQueryDto;
}

export class ListExecutionsDto {
  @ApiPropertyOptional({ type: () => ListQueryDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ListQueryDto) query?: ListQueryDto;
  @ApiPropertyOptional({ type: () => [ExecutionSearchQueryDto], description: 'ANDed' })
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => ExecutionSearchQueryDto) queries?: ExecutionSearchQueryDto[];
}
