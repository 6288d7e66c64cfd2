import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsDuration, IsProtoEnum, OneOf } from '../../common/validation/decorators';
import { ListQueryDto } from '../../executions/http/execution.dto';

export class RestWebhookDto {
  @ApiPropertyOptional({ example: true })
  @IsOptional() @IsBoolean() interruptOnError?: boolean;
}

/** restAsync carries no settings. */
export class RestAsyncDto {}

/**
 * Fields shared by create and update. Empty names, missing timeouts and bad endpoints are
 * left to the domain, which answers with the API's own error ids.
 */
class TargetFieldsDto {
  @ApiPropertyOptional({ description: 'Unique per instance; required on create', minLength: 1, maxLength: 200, example: 'ip_allow_list' })
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @ApiPropertyOptional({ type: () => RestWebhookDto, description: 'Exactly one of restWebhook, restCall, restAsync (required on create)' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RestWebhookDto) restWebhook?: RestWebhookDto;
  @ApiPropertyOptional({ type: () => RestWebhookDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RestWebhookDto) restCall?: RestWebhookDto;
  @ApiPropertyOptional({ type: 'object', properties: {}, description: 'No settings' })
  @IsOptional() @IsObject() @Type(() => RestAsyncDto) restAsync?: RestAsyncDto;
  @ApiPropertyOptional({ description: 'Duration, e.g. "10s" or "0.5s"; required on create, greater than 0', pattern: '^\\d+(\\.\\d+)?s$', example: '10s' })
  @IsOptional() @IsString() @IsDuration() timeout?: string;
  @ApiPropertyOptional({ format: 'uri', maxLength: 1000, description: 'Required on create', example: 'https://example.com/hooks/ip_check' })
  @IsOptional() @IsString() @MaxLength(1000) endpoint?: string;
}

export class CreateTargetDto extends TargetFieldsDto {
  @OneOf(['restWebhook', 'restCall', 'restAsync'])
  readonly oneof?: never;
}

export class UpdateTargetDto extends TargetFieldsDto {
  @OneOf(['restWebhook', 'restCall', 'restAsync'], { required: false })
  readonly oneof?: never;
}

export const TEXT_QUERY_METHODS = [
  'TEXT_QUERY_METHOD_EQUALS',
  'TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE',
  'TEXT_QUERY_METHOD_STARTS_WITH',
  'TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE',
  'TEXT_QUERY_METHOD_CONTAINS',
  'TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE',
  'TEXT_QUERY_METHOD_ENDS_WITH',
  'TEXT_QUERY_METHOD_ENDS_WITH_IGNORE_CASE',
] as const;

export const TARGET_FIELD_NAMES = [
  'TARGET_FIELD_NAME_UNSPECIFIED',
  'TARGET_FIELD_NAME_ID',
  'TARGET_FIELD_NAME_CREATION_DATE',
  'TARGET_FIELD_NAME_CHANGE_DATE',
  'TARGET_FIELD_NAME_NAME',
  'TARGET_FIELD_NAME_TARGET_TYPE',
  'TARGET_FIELD_NAME_URL',
  'TARGET_FIELD_NAME_TIMEOUT',
  'TARGET_FIELD_NAME_ASYNC',
  'TARGET_FIELD_NAME_INTERRUPT_ON_ERROR',
] as const;

export class TargetNameQueryDto {
  @ApiProperty({ maxLength: 200 })
  @IsString() @MaxLength(200) targetName!: string;
  @ApiPropertyOptional({ oneOf: [{ type: 'string', enum: [...TEXT_QUERY_METHODS] }, { type: 'integer', minimum: 0, maximum: 7 }], example: 'TEXT_QUERY_METHOD_EQUALS' })
  @IsOptional() @IsProtoEnum(TEXT_QUERY_METHODS) method?: string | number;
}

export class InTargetIdsQueryDto {
  @ApiProperty({ type: [String] })
  @IsArray() @IsString({ each: true }) @MaxLength(200, { each: true }) targetIds!: string[];
}

export class TargetSearchQueryDto {
  @OneOf(['targetNameQuery', 'inTargetIdsQuery'])
  readonly oneof?: never;

  @ApiPropertyOptional({ type: () => TargetNameQueryDto, description: 'Exactly one of targetNameQuery, inTargetIdsQuery' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => TargetNameQueryDto) targetNameQuery?: TargetNameQueryDto;
  @ApiPropertyOptional({ type: () => InTargetIdsQueryDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => InTargetIdsQueryDto) inTargetIdsQuery?: InTargetIdsQueryDto;
}

export class ListTargetsDto {
  @ApiPropertyOptional({ type: () => ListQueryDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ListQueryDto) query?: ListQueryDto;
  @ApiPropertyOptional({ oneOf: [{ type: 'string', enum: [...TARGET_FIELD_NAMES] }, { type: 'integer', minimum: 0, maximum: 9 }], example: 'TARGET_FIELD_NAME_NAME' })
  @IsOptional() @IsProtoEnum(TARGET_FIELD_NAMES) sortingColumn?: string | number;
  @ApiPropertyOptional({ type: () => [TargetSearchQueryDto], description: 'ANDed' })
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => TargetSearchQueryDto) queries?: TargetSearchQueryDto[];
}
