import { toJson, type DescMethod } from '@bufbuild/protobuf';
import Ajv, { type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { validateRequest } from '../../src/api/contract/validate-request';
import { API_SERVICES, buildApiDocument } from '../../src/api/openapi/api-docs';
import { decodeRestRequest } from '../../src/api/rest/rest-decoder';
import { openApiPath, restMappingOf } from '../../src/api/rest/http-rule';
import { messageArbitrary } from '../support/message-arbitrary';

/**
 * Every request the service accepts, the OpenAPI document accepts too: for each RPC of every
 * API version, random messages generated from the descriptor that pass the service's own
 * validation are written as REST JSON, read back by the REST decoder, and checked against the
 * operation's request-body and path-parameter schemas of /docs.
 */
const document = buildApiDocument();
const ajv = new Ajv({ strict: false, allErrors: true });
// OpenAPI 3.0 formats the document uses; what each means for the JSON the service reads.
ajv.addFormat('int32', { type: 'number', validate: Number.isInteger });
ajv.addFormat('int64', { type: 'string', validate: (text: string) => /^-?\d+$/.test(text) });
ajv.addFormat('byte', { type: 'string', validate: (text: string) => /^[A-Za-z0-9+/_-]*={0,2}$/.test(text) });
ajv.addFormat('date-time', { type: 'string', validate: (text: string) => !Number.isNaN(Date.parse(text)) && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/.test(text) });
ajv.addSchema({ components: document.components }, 'document');

const compile = (schema: object): ValidateFunction => ajv.compile({ ...schema, $ref: undefined, allOf: [schema] } as object);
const refusal = (validate: ValidateFunction): string => ajv.errorsText(validate.errors);

const methods = API_SERVICES.flatMap(({ service }) => service.methods.map((method): [string, DescMethod] => [`${service.typeName}.${method.name}`, method]));

describe('the OpenAPI request schemas accept every request the service accepts', () => {
  it.each(methods)('%s', (_, method) => {
    const mapping = restMappingOf(method);
    const operation = document.paths[openApiPath(method, mapping.template)]?.[mapping.verb];
    expect(operation).toBeDefined();
    const bodySchema = mapping.body === '*' ? withDocumentRefs((operation!.requestBody as { content: Record<string, { schema: object }> }).content['application/json']!.schema) : undefined;
    const validateBody = bodySchema ? compile(bodySchema) : undefined;
    const pathParameters = (operation!.parameters ?? []) as { name: string; schema: object }[];
    const validateParameters = pathParameters.map((parameter) => ({ name: parameter.name, validate: compile(withDocumentRefs(parameter.schema)) }));

    let accepted = 0;
    fc.assert(
      fc.property(messageArbitrary(method.input), (message) => {
        try {
          validateRequest(method.input, message);
        } catch {
          return; // the service refuses it: the document may say anything
        }
        accepted += 1;
        const json = toJson(method.input, message) as Record<string, unknown>;
        const params = Object.fromEntries(mapping.pathFields.map((name) => method.input.fields.find((field) => field.name === name)!.jsonName).map((name) => [name, String(json[name] ?? '')]));
        const body = Object.fromEntries(Object.entries(json).filter(([name]) => !(name in params)));
        expect(() => decodeRestRequest(method, { body, params })).not.toThrow();
        if (validateBody && !validateBody(json)) throw new Error(`body schema refuses ${JSON.stringify(json)}: ${refusal(validateBody)}`);
        for (const { name, validate } of validateParameters) {
          if (!validate(params[name])) throw new Error(`path parameter ${name} refuses ${JSON.stringify(params[name])}: ${refusal(validate)}`);
        }
      }),
      // Some requests pass the service's rules about one time in ten: 600 runs give them ~60
      // accepted cases, so the check below cannot fail by chance (150 runs did, at 15 of 15).
      { numRuns: 600 },
    );
    // A generator the service refuses every time would prove nothing.
    expect(accepted).toBeGreaterThan(15);
  });
});

/** Points the document's local references at the schemas registered under "document". */
function withDocumentRefs(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"document#/components/')) as object;
}
