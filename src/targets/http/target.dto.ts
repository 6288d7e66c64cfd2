import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsDuration, IsProtoEnum, OneOf } from '../../common/validation/decorators';
import { ListQueryDto } from '../../executions/http/execution.dto';

export class RestWebhookDto {
  @IsOptional() @IsBoolean() interruptOnError?: boolean;
}

/** restAsync carries no settings. */
export class RestAsyncDto {}

/**
 * Fields shared by create and update. Empty names, missing timeouts and bad endpoints are
 * left to the domain, which answers with the API's own error ids.
 */
class TargetFieldsDto {
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RestWebhookDto) restWebhook?: RestWebhookDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => RestWebhookDto) restCall?: RestWebhookDto;
  @IsOptional() @IsObject() @Type(() => RestAsyncDto) restAsync?: RestAsyncDto;
  @IsOptional() @IsString() @IsDuration() timeout?: string;
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
  @IsString() @MaxLength(200) targetName!: string;
  @IsOptional() @IsProtoEnum(TEXT_QUERY_METHODS) method?: string | number;
}

export class InTargetIdsQueryDto {
  @IsArray() @IsString({ each: true }) @MaxLength(200, { each: true }) targetIds!: string[];
}

export class TargetSearchQueryDto {
  @OneOf(['targetNameQuery', 'inTargetIdsQuery'])
  readonly oneof?: never;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => TargetNameQueryDto) targetNameQuery?: TargetNameQueryDto;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => InTargetIdsQueryDto) inTargetIdsQuery?: InTargetIdsQueryDto;
}

export class ListTargetsDto {
  @IsOptional() @IsObject() @ValidateNested() @Type(() => ListQueryDto) query?: ListQueryDto;
  @IsOptional() @IsProtoEnum(TARGET_FIELD_NAMES) sortingColumn?: string | number;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => TargetSearchQueryDto) queries?: TargetSearchQueryDto[];
}
