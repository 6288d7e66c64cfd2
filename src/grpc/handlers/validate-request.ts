import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { toJson } from '@bufbuild/protobuf';
import type { Type } from '@nestjs/common';
import { ApiValidationPipe } from '../../common/validation/api-validation.pipe';

const pipe = new ApiValidationPipe();

/**
 * Validates a request message with the HTTP API's DTO rules: the message is turned into its
 * protobuf JSON form (the REST body of the same call) and run through the same validation
 * pipe, so both transports accept and refuse the same requests with the same ids and messages.
 *
 * Binary protobuf cannot tell a field left unset from one set to its default (an empty string,
 * 0, the zero enum value), so every such field is written out: the REST rules then judge the
 * value the RPC carries, e.g. EXECUTION_TYPE_UNSPECIFIED is refused as such, not as missing.
 */
export async function validateRequest<Desc extends DescMessage, Dto extends object>(
  schema: Desc,
  message: MessageShape<Desc>,
  dto: Type<Dto>,
): Promise<Dto> {
  const body = toJson(schema, message, { alwaysEmitImplicit: true });
  return (await pipe.transform(body, { type: 'body', metatype: dto, data: undefined })) as Dto;
}
