import { isUtf8 } from 'node:buffer';
import { configureTextEncoding, getTextEncoding } from '@bufbuild/protobuf/wire';
import { malformedJson } from '../../common/errors/http-error-ids';
import { apiErrorToConnectError } from '../../grpc/errors/to-connect-error';
import { jsonTextProblem } from '../contract/json-text';

const decoder = new TextDecoder();

/** An unpaired low surrogate: not Unicode text, refused by the text rules. */
const NOT_UTF8_MARK = '\uDFFF';

/**
 * Decodes the JSON of a Connect or gRPC-web JSON request message after the rules REST applies
 * to a body (UTF-8 only, bounded nesting, no unpaired surrogate escape), refusing with the same
 * API error: a lenient decoder would store invalid UTF-8 as U+FFFD, and the JSON decoder's own
 * messages would reach the client. Connect passes a ConnectError it is thrown on as it is.
 */
export const RPC_JSON_TEXT_DECODER = {
  decode(bytes: Uint8Array): string {
    const text = decoder.decode(bytes);
    const problem = jsonTextProblem(bytes, text);
    if (problem) throw apiErrorToConnectError(problem);
    // Parsed once more here (bodies are at most 1 MiB) only to word a syntax error as REST does.
    if (text.trim() !== '' && !isJson(text)) throw apiErrorToConnectError(malformedJson('Request body is not valid JSON'));
    return text;
  },
};

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Binary messages: a string field that is not UTF-8 (proto3 strings must be) decodes to its
 * lenient text plus an unpaired surrogate, which valid UTF-8 can never produce, so the text
 * rules every request passes refuse it, naming the field. Throwing here would not do: Connect
 * answers any error of binary parsing as an internal error. Process-wide, as protobuf-es keeps
 * one text encoding.
 */
export function refuseInvalidUtf8InBinaryMessages(): void {
  const base = getTextEncoding();
  configureTextEncoding({
    encodeUtf8: base.encodeUtf8,
    checkUtf8: base.checkUtf8,
    decodeUtf8: (bytes, strict) => {
      const text = base.decodeUtf8(bytes, false);
      return strict && !isUtf8(bytes) ? `${text}${NOT_UTF8_MARK}` : text;
    },
  });
}
