import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsDefined, IsInt, IsObject, IsOptional, IsString, Max, Min, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { parseInt64 } from '../../common/json/int64';
import { IsInt64, IsProtoEnum, NonEmptyList, OneOf, withApiError } from '../../common/validation/decorators';
import { dtoOf, isBoolean, isInt, isPlainObject, isStringOfLength, namesOneofAnchor, registerFastParser, soleBranch } from '../../common/validation/fast-parsers';
import { ExecutionErrors } from '../domain/execution-errors';
import { ConditionDto, parseConditionDto } from './condition.dto';

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

// The fast readings of the bodies of SetExecution, DeleteExecution and ListExecutions without
// filters (see fast-parsers.ts): undefined hands the body to class-validator.

function parseTarget(value: unknown): ExecutionTargetDto | undefined {
  if (!isPlainObject(value) || namesOneofAnchor(value)) return undefined;
  const branch = soleBranch(value, ['target', 'include'] as const);
  if (branch === 'target') return isStringOfLength(value.target, 1, 1000) ? dtoOf(ExecutionTargetDto, { target: value.target }) : undefined;
  const include = branch && parseConditionDto(value.include);
  return include && dtoOf(ExecutionTargetDto, { include });
}

registerFastParser(SetExecutionDto, (body) => {
  const condition = parseConditionDto(body.condition);
  if (!condition || !Array.isArray(body.targets) || body.targets.length === 0) return undefined;
  const targets: ExecutionTargetDto[] = [];
  for (const entry of body.targets as unknown[]) {
    const target = parseTarget(entry);
    if (!target) return undefined;
    targets.push(target);
  }
  return dtoOf(SetExecutionDto, { condition, targets });
});

registerFastParser(DeleteExecutionDto, (body) => {
  const condition = parseConditionDto(body.condition);
  return condition && dtoOf(DeleteExecutionDto, { condition });
});

registerFastParser(ListExecutionsDto, (body) => {
  if (Object.hasOwn(body, 'queries')) return undefined;
  if (!Object.hasOwn(body, 'query')) return dtoOf(ListExecutionsDto, {});
  const { query } = body;
  if (!isPlainObject(query)) return undefined;
  const fields: Partial<ListQueryDto> = {};
  if (Object.hasOwn(query, 'offset')) {
    const offset = parseInt64(query.offset);
    if (offset === undefined || offset < 0) return undefined;
    fields.offset = query.offset as string | number;
  }
  if (Object.hasOwn(query, 'limit')) {
    if (!isInt(query.limit) || (query.limit as number) < 0 || (query.limit as number) > 4_294_967_295) return undefined;
    fields.limit = query.limit as number;
  }
  if (Object.hasOwn(query, 'asc')) {
    if (!isBoolean(query.asc)) return undefined;
    fields.asc = query.asc as boolean;
  }
  return dtoOf(ListExecutionsDto, { query: dtoOf(ListQueryDto, fields) });
});
