import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { toJson } from '@bufbuild/protobuf';
import type { Type } from '@nestjs/common';
import { ApiValidationPipe } from '../../common/validation/api-validation.pipe';

const pipe = new ApiValidationPipe();

/**
 * Validates a request message with the HTTP API's DTO rules: the message is turned into its
 * protobuf JSON form (exactly the REST body of the same call) and run through the same
 * validation pipe, so both transports accept and refuse the same requests with the same ids
 * and messages.
 */
export async function validateRequest<Desc extends DescMessage, Dto extends object>(
  schema: Desc,
  message: MessageShape<Desc>,
  dto: Type<Dto>,
): Promise<Dto> {
  const body = toJson(schema, message);
  return (await pipe.transform(body, { type: 'body', metatype: dto, data: undefined })) as Dto;
}
