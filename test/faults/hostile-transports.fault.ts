import { randomUUID } from 'node:crypto';
import { create, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import {
  CreateTargetRequestSchema,
  ListTargetsRequestSchema,
} from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { sendRawRpc, type RawOutcome, type RawProtocol } from '../grpc/support/raw-rpc';
import { startGrpcTestApp, type GrpcTestApp } from '../grpc/support/grpc-test-app';
import { storedEvents } from '../support/test-app';
import { reportFigures } from './support/report';

const SERVICE = '/zitadel.action.v3alpha.ActionService';
type Rpc = 'CreateTarget' | 'SetExecution' | 'DeleteExecution' | 'ListTargets' | 'ListExecutions';
const REST: Record<Rpc, [method: string, path: string]> = {
  CreateTarget: ['POST', '/v3alpha/targets'],
  SetExecution: ['PUT', '/v3alpha/executions'],
  DeleteExecution: ['DELETE', '/v3alpha/executions'],
  ListTargets: ['POST', '/v3alpha/targets/search'],
  ListExecutions: ['POST', '/v3alpha/executions/search'],
};

const target = (name: string, endpoint = '"https://example.com/hook"'): string => `{"name":${name},"restAsync":{},"timeout":"1s","endpoint":${endpoint}}`;
const ids = (count: number): string => JSON.stringify(Array.from({ length: count }, (_, index) => String(218_000_000_000_000_000n + BigInt(index))));

/** Hostile JSON requests: each is refused by REST, and must be by every JSON protocol. */
const JSON_CASES: ReadonlyArray<{ name: string; rpc: Rpc; body: Buffer }> = [
  { name: 'NUL in a target name', rpc: 'CreateTarget', body: Buffer.from(target('"a\\u0000b"')) },
  { name: 'NUL in an endpoint', rpc: 'CreateTarget', body: Buffer.from(target('"nul-endpoint"', '"https://example.com/\\u0000"')) },
  { name: 'a lone surrogate in a target name', rpc: 'CreateTarget', body: Buffer.from(target('"\\ud800"')) },
  { name: 'a lone surrogate in a target id', rpc: 'SetExecution', body: Buffer.from('{"condition":{"event":{"all":true}},"targets":[{"target":"\\udc00"}]}') },
  { name: 'a lone surrogate in an include', rpc: 'SetExecution', body: Buffer.from('{"condition":{"event":{"all":true}},"targets":[{"include":{"event":{"event":"a\\ud800"}}}]}') },
  { name: 'a lone surrogate in a DeleteExecution condition', rpc: 'DeleteExecution', body: Buffer.from('{"condition":{"request":{"method":"/a.B/\\ud800"}}}') },
  { name: 'invalid UTF-8 in a name', rpc: 'CreateTarget', body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from(target('"x"').slice(10))]) },
  { name: 'an encoded surrogate (not UTF-8) in a name', rpc: 'CreateTarget', body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(target('"x"').slice(10))]) },
  { name: '40,000 target ids in a filter', rpc: 'ListTargets', body: Buffer.from(`{"queries":[{"inTargetIdsQuery":{"targetIds":${ids(40_000)}}}]}`) },
  { name: '1,000 ANDed target queries', rpc: 'ListTargets', body: Buffer.from(`{"queries":[${Array(1_000).fill('{"targetNameQuery":{"targetName":"x"}}').join(',')}]}`) },
  { name: '5,000 conditions in a filter', rpc: 'ListExecutions', body: Buffer.from(`{"queries":[{"inConditionsQuery":{"conditions":[${Array(5_000).fill('{"event":{"all":true}}').join(',')}]}}]}`) },
];

/** A valid create, declared in a charset other than UTF-8 (and encoded in it). */
const CHARSET_CASES: ReadonlyArray<{ charset: string; encoding: BufferEncoding }> = [
  { charset: 'utf-16le', encoding: 'utf16le' },
  { charset: 'latin1', encoding: 'latin1' },
  { charset: 'iso-8859-1', encoding: 'latin1' },
];

function binary<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>, corrupt?: [text: string, bytes: number[]]): Uint8Array {
  const bytes = Buffer.from(toBinary(schema, create(schema, init)));
  if (!corrupt) return bytes;
  const at = bytes.indexOf(corrupt[0]);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(corrupt[1]), bytes.subarray(at + corrupt[1].length)]);
}
const webhook = { targetType: { case: 'restAsync' as const, value: {} }, endpoint: 'https://example.com/hook' };

/** Hostile binary messages: bytes a protobuf library would not write, or lists past their bound. */
const BINARY_CASES: ReadonlyArray<{ name: string; rpc: Rpc; message: Uint8Array }> = [
  { name: 'a truncated message (not protobuf)', rpc: 'CreateTarget', message: Buffer.from([0x0a, 0xff]) },
  { name: 'NUL in a target name', rpc: 'CreateTarget', message: binary(CreateTargetRequestSchema, { name: 'a\0b', ...webhook }) },
  { name: 'invalid UTF-8 in a target name', rpc: 'CreateTarget', message: binary(CreateTargetRequestSchema, { name: 'xx-name', ...webhook }, ['xx', [0xc3, 0x28]]) },
  { name: 'an encoded surrogate in a target name', rpc: 'CreateTarget', message: binary(CreateTargetRequestSchema, { name: 'xxx-name', ...webhook }, ['xxx', [0xed, 0xa0, 0x80]]) },
  {
    name: '40,000 target ids in a filter',
    rpc: 'ListTargets',
    message: binary(ListTargetsRequestSchema, { queries: [{ query: { case: 'inTargetIdsQuery', value: { targetIds: JSON.parse(ids(40_000)) as string[] } } }] }),
  },
  {
    name: '1,000 ANDed target queries',
    rpc: 'ListTargets',
    message: binary(ListTargetsRequestSchema, { queries: Array.from({ length: 1_000 }, () => ({ query: { case: 'targetNameQuery' as const, value: { targetName: 'x' } } })) }),
  },
];

/** Never an internal or unknown error, never success, never a 5xx status. */
const isCleanRefusal = (outcome: RawOutcome): boolean => ![0, 2, 13].includes(outcome.code) && outcome.httpStatus < 500;

describe('hostile text and sizes over every transport (service in process on SQLite)', () => {
  let app: GrpcTestApp;
  let token: string;
  let instanceId: string;
  const outcomes: { transport: string; what: string; outcome: RawOutcome }[] = [];

  beforeAll(async () => {
    app = await startGrpcTestApp();
    instanceId = `hostile-transports-${randomUUID()}`;
    token = await app.token(instanceId);
  });
  afterAll(() => app.close());

  const httpPort = (): { baseUrl: string } => ({ baseUrl: app.httpUrl });
  const h2cPort = (): { h2cUrl: string } => ({ h2cUrl: `http://127.0.0.1:${app.grpcPort}` });

  async function overRest(rpc: Rpc, body: Buffer, contentType = 'application/json'): Promise<RawOutcome> {
    const [method, path] = REST[rpc];
    const response = await fetch(`${app.httpUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
    const answer = (await response.json()) as { code?: number; message?: string };
    return { code: answer.code ?? 0, message: answer.message ?? '', httpStatus: response.status };
  }

  async function record(transport: string, what: string, outcome: Promise<RawOutcome>): Promise<void> {
    outcomes.push({ transport, what, outcome: await outcome });
  }

  it('refuses every hostile JSON body cleanly over REST, Connect and gRPC-web JSON on both ports', async () => {
    for (const { name, rpc, body } of JSON_CASES) {
      await record('REST', name, overRest(rpc, body));
      for (const [port, url] of [['HTTP', httpPort()], ['h2c', h2cPort()]] as const) {
        for (const protocol of ['connect', 'grpc-web-json'] as const) {
          await record(`${protocol} (${port})`, name, sendRawRpc(url, { protocol, path: `${SERVICE}/${rpc}`, message: body, token }));
        }
      }
    }
    for (const { charset, encoding } of CHARSET_CASES) {
      const body = Buffer.from(target(`"charset-${charset}"`), encoding);
      await record('REST', `charset=${charset}`, overRest('CreateTarget', body, `application/json; charset=${charset}`));
      for (const [port, url] of [['HTTP', httpPort()], ['h2c', h2cPort()]] as const) {
        await record(`connect (${port})`, `charset=${charset}`, sendRawRpc(url, { protocol: 'connect', path: `${SERVICE}/CreateTarget`, message: body, token, contentType: `application/json; charset=${charset}` }));
        await record(`grpc-web-json (${port})`, `charset=${charset}`, sendRawRpc(url, { protocol: 'grpc-web-json', path: `${SERVICE}/CreateTarget`, message: body, token, contentType: `application/grpc-web+json; charset=${charset}` }));
      }
    }
    expect(outcomes.filter(({ outcome }) => !isCleanRefusal(outcome))).toEqual([]);
  });

  it('refuses every hostile binary message cleanly over gRPC, gRPC-web and Connect on both ports', async () => {
    const before = outcomes.length;
    const routes: ReadonlyArray<[string, { baseUrl: string } | { h2cUrl: string }, RawProtocol]> = [
      ['grpc (h2c)', h2cPort(), 'grpc'],
      ['grpc-web (h2c)', h2cPort(), 'grpc-web'],
      ['grpc-web (HTTP)', httpPort(), 'grpc-web'],
      ['connect-proto (h2c)', h2cPort(), 'connect-proto'],
      ['connect-proto (HTTP)', httpPort(), 'connect-proto'],
    ];
    for (const { name, rpc, message } of BINARY_CASES) {
      for (const [transport, url, protocol] of routes) await record(transport, name, sendRawRpc(url, { protocol, path: `${SERVICE}/${rpc}`, message, token }));
    }
    expect(outcomes.slice(before).filter(({ outcome }) => !isCleanRefusal(outcome))).toEqual([]);
  });

  it('stored no event for any refused request, and keeps serving', async () => {
    expect(await storedEvents(app, { tenant: instanceId })).toEqual([]);
    expect((await fetch(`${app.httpUrl}/healthz`)).status).toBe(200);
    const codes: Record<string, number> = {};
    for (const { outcome } of outcomes) codes[`${outcome.httpStatus}/${outcome.code}`] = (codes[`${outcome.httpStatus}/${outcome.code}`] ?? 0) + 1;
    reportFigures('hostile transports', { calls: outcomes.length, answersByHttpStatusAndCode: codes });
  });
});
