import { create, toBinary, type DescEnum, type DescField, type DescFile, type DescMessage } from '@bufbuild/protobuf';
import * as zitadelV2Service from '@zitadel/node/dist/api/generated/zitadel/action/v2/action_service.js';
import * as zitadelV2Execution from '@zitadel/node/dist/api/generated/zitadel/action/v2/execution.js';
import * as zitadelV2Query from '@zitadel/node/dist/api/generated/zitadel/action/v2/query.js';
import * as zitadelV2Target from '@zitadel/node/dist/api/generated/zitadel/action/v2/target.js';
import * as zitadelV2Filter from '@zitadel/node/dist/api/generated/zitadel/filter/v2/filter.js';
import { file_zitadel_action_v2beta_action_service as publishedBetaService } from '@zitadel/proto/zitadel/action/v2beta/action_service_pb';
import { file_zitadel_action_v2beta_execution as publishedBetaExecution } from '@zitadel/proto/zitadel/action/v2beta/execution_pb';
import { file_zitadel_action_v2beta_query as publishedBetaQuery } from '@zitadel/proto/zitadel/action/v2beta/query_pb';
import { file_zitadel_action_v2beta_target as publishedBetaTarget } from '@zitadel/proto/zitadel/action/v2beta/target_pb';
import { file_zitadel_filter_v2beta_filter as publishedBetaFilter } from '@zitadel/proto/zitadel/filter/v2beta/filter_pb';
import { file_zitadel_action_v2_action_service } from '../../src/grpc/gen/zitadel/action/v2/action_service_pb';
import { file_zitadel_action_v2_execution } from '../../src/grpc/gen/zitadel/action/v2/execution_pb';
import { file_zitadel_action_v2_query } from '../../src/grpc/gen/zitadel/action/v2/query_pb';
import { file_zitadel_action_v2_target } from '../../src/grpc/gen/zitadel/action/v2/target_pb';
import { file_zitadel_filter_v2_filter } from '../../src/grpc/gen/zitadel/filter/v2/filter_pb';
import { file_zitadel_action_v2beta_action_service } from '../../src/grpc/gen/zitadel/action/v2beta/action_service_pb';
import { file_zitadel_action_v2beta_execution } from '../../src/grpc/gen/zitadel/action/v2beta/execution_pb';
import { file_zitadel_action_v2beta_query } from '../../src/grpc/gen/zitadel/action/v2beta/query_pb';
import { file_zitadel_action_v2beta_target } from '../../src/grpc/gen/zitadel/action/v2beta/target_pb';
import { file_zitadel_filter_v2beta_filter } from '../../src/grpc/gen/zitadel/filter/v2beta/filter_pb';

/**
 * The v2 and v2beta protos under proto/ are written from ZITADEL's published packages; these
 * tests keep them from drifting: every message, field (name, number, type, cardinality, oneof),
 * enum value and RPC of ours must be ZITADEL's, and ZITADEL's action files must have nothing ours lacks.
 */

/** What identifies a field on the wire and in JSON. */
const fieldShape = (field: DescField) => ({
  name: field.name,
  jsonName: field.jsonName,
  number: field.number,
  type: field.proto.type,
  typeName: field.proto.typeName,
  label: field.proto.label,
  proto3Optional: field.proto.proto3Optional,
  oneof: field.oneof?.name,
});
const messageShape = (message: DescMessage) => ({ name: message.typeName, fields: message.fields.map(fieldShape) });
const enumShape = (descEnum: DescEnum) => ({ name: descEnum.typeName, values: descEnum.values.map((value) => [value.name, value.number]) });
const fileShape = (file: DescFile, keep: (name: string) => boolean = () => true) => ({
  package: file.proto.package,
  messages: file.messages.filter((message) => keep(message.name)).map(messageShape),
  enums: file.enums.filter((descEnum) => keep(descEnum.name)).map(enumShape),
  services: file.services.map((service) => ({
    name: service.typeName,
    methods: service.methods.map((method) => [method.name, method.input.typeName, method.output.typeName, method.methodKind]),
  })),
});

describe('zitadel.action.v2beta against @zitadel/proto 1.3.1', () => {
  it.each([
    ['action_service', file_zitadel_action_v2beta_action_service, publishedBetaService],
    ['target', file_zitadel_action_v2beta_target, publishedBetaTarget],
    ['execution', file_zitadel_action_v2beta_execution, publishedBetaExecution],
    ['query', file_zitadel_action_v2beta_query, publishedBetaQuery],
  ])('%s.proto has ZITADEL’s messages, fields, enums and RPCs', (_name, ours, published) => {
    expect(fileShape(ours)).toEqual(fileShape(published));
  });

  it('filter.proto has ZITADEL’s shape of every message and enum it declares', () => {
    const ours = new Set([...file_zitadel_filter_v2beta_filter.messages, ...file_zitadel_filter_v2beta_filter.enums].map((desc) => desc.name));
    expect(ours.size).toBeGreaterThan(0);
    expect(fileShape(file_zitadel_filter_v2beta_filter)).toEqual(fileShape(publishedBetaFilter, (name) => ours.has(name)));
  });
});

/** A ts-proto message codec of @zitadel/node. */
interface TsProtoCodec {
  encode(message: unknown): { finish(): Uint8Array };
  decode(input: Uint8Array): Record<string, unknown>;
}
const isCodec = (value: unknown): value is TsProtoCodec =>
  typeof value === 'object' && value !== null && typeof (value as TsProtoCodec).encode === 'function' && typeof (value as TsProtoCodec).decode === 'function';
const codecsOf = (module: Record<string, unknown>) => new Map(Object.entries(module).filter((entry): entry is [string, TsProtoCodec] => isCodec(entry[1])));
/** ts-proto enums are objects mapping names to numbers and back. */
const enumValuesOf = (tsEnum: Record<string, string | number>) =>
  Object.entries(tsEnum)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] >= 0)
    .sort((a, b) => a[1] - b[1]);

/** A message of ours with only `field` set to a value that is not its default. */
function withOnlyField(message: DescMessage, field: DescField): Uint8Array {
  let value: unknown;
  switch (field.fieldKind) {
    case 'scalar':
      value = field.scalar === 9 ? 'x' : field.scalar === 8 ? true : 1;
      if (typeof value === 'number' && [3, 4, 6, 16, 18].includes(field.scalar)) value = 1n;
      break;
    case 'enum':
      value = 1;
      break;
    case 'message':
      value = create(field.message);
      break;
    case 'list':
      value = field.listKind === 'scalar' ? ['x'] : field.listKind === 'enum' ? [1] : [create(field.message)];
      break;
    default:
      throw new Error(`no sample for ${field.fieldKind}`);
  }
  const init = field.oneof ? { [field.oneof.localName]: { case: field.localName, value } } : { [field.localName]: value };
  return toBinary(message, create(message, init));
}

/** Defaults as ts-proto decodes them; 64-bit integers come as Long objects. */
const isDefault = (value: unknown) =>
  value === undefined ||
  value === '' ||
  value === 0 ||
  value === false ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && value !== null && 'isZero' in value && typeof value.isZero === 'function' && value.isZero() === true);

describe('zitadel.action.v2 against @zitadel/node 3.0.28', () => {
  const files: [string, DescFile, Record<string, unknown>][] = [
    ['action_service', file_zitadel_action_v2_action_service, zitadelV2Service],
    ['target', file_zitadel_action_v2_target, zitadelV2Target],
    ['execution', file_zitadel_action_v2_execution, zitadelV2Execution],
    ['query', file_zitadel_action_v2_query, zitadelV2Query],
  ];

  it.each(files)('%s.proto declares exactly ZITADEL’s messages and enums', (_name, ours, published) => {
    expect(ours.messages.map((message) => message.name).sort()).toEqual([...codecsOf(published).keys()].sort());
    for (const descEnum of ours.enums) {
      expect([descEnum.name, descEnum.values.map((value) => [value.name, value.number])]).toEqual([descEnum.name, enumValuesOf(published[descEnum.name] as Record<string, string | number>)]);
    }
  });

  const fieldCases = [...files, ['filter', file_zitadel_filter_v2_filter, zitadelV2Filter] as [string, DescFile, Record<string, unknown>]].flatMap(([, ours, published]) =>
    ours.messages.flatMap((message) => message.fields.map((field) => [`${message.name}.${field.name}`, message, field, codecsOf(published).get(message.name)] as const)),
  );

  it.each(fieldCases)('%s has ZITADEL’s number, wire type and name', (_name, message, field, codec) => {
    expect(codec).toBeDefined();
    const bytes = withOnlyField(message, field);
    const decoded = codec!.decode(bytes);
    const set = Object.entries(decoded).filter(([, value]) => !isDefault(value)).map(([key]) => key);
    expect(set).toEqual([field.localName]);
    expect(codec!.encode(decoded).finish()).toEqual(bytes);
  });

  it('declares ZITADEL’s filter enums and the service’s RPCs', () => {
    for (const descEnum of file_zitadel_filter_v2_filter.enums) {
      expect(descEnum.values.map((value) => [value.name, value.number])).toEqual(enumValuesOf(zitadelV2Filter[descEnum.name as keyof typeof zitadelV2Filter] as Record<string, string | number>));
    }
    const [service] = file_zitadel_action_v2_action_service.services;
    const published = zitadelV2Service.ActionServiceDefinition;
    expect(service.typeName).toBe(published.fullName);
    expect(service.methods.map((method) => [method.name, method.input.name, method.output.name])).toEqual(
      Object.values(published.methods).map((method) => [method.name, nameOf(method.requestType), nameOf(method.responseType)]),
    );
  });
});

/** ts-proto codecs carry no name; find it among the module's exports. */
function nameOf(codec: unknown): string | undefined {
  for (const module of [zitadelV2Service, zitadelV2Target, zitadelV2Execution, zitadelV2Query]) {
    const found = Object.entries(module).find(([, value]) => value === codec);
    if (found) return found[0];
  }
  return undefined;
}
