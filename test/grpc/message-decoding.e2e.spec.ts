import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { CreateTargetRequestSchema } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { storedEvents } from '../support/test-app';
import { sendRawRpc, type RawProtocol } from './support/raw-rpc';
import { startGrpcTestApp, type GrpcTestApp } from './support/grpc-test-app';

const CREATE_TARGET = '/zitadel.action.v3alpha.ActionService/CreateTarget';
const rest = (name: string | Buffer): Buffer =>
  Buffer.concat([Buffer.from('{"name":'), Buffer.from(name), Buffer.from(',"restAsync":{},"timeout":"1s","endpoint":"https://example.com/hook"}')]);

/** Request bodies no client library would send, each refused by REST. */
const HOSTILE_JSON: ReadonlyArray<[string, Buffer]> = [
  ['invalid UTF-8', rest(Buffer.concat([Buffer.from('"bad'), Buffer.from([0xc3, 0x28]), Buffer.from('"')]))],
  ['a lone surrogate', rest('"lone \\ud800"')],
  ['a lone low surrogate in a nested string', Buffer.from('{"condition":{"request":{"method":"/a.B/\\udfff"}},"targets":[{"target":"1"}]}')],
  ['malformed JSON', Buffer.from('{"name":"x",')],
  ['a list where a string belongs', rest('["x"]')],
  ['a string where an object belongs', Buffer.from('{"condition":"request","targets":[{"target":"1"}]}')],
  ['a list as the whole body', Buffer.from('[1]')],
  ['nesting deeper than 64 levels', rest(`${'['.repeat(100)}${']'.repeat(100)}`)],
];

/** A CreateTarget message whose name is not UTF-8 (bytes a protobuf library would not write). */
function binaryWithInvalidName(): Uint8Array {
  const bytes = toBinary(CreateTargetRequestSchema, create(CreateTargetRequestSchema, { name: 'n~', targetType: { case: 'restAsync', value: {} }, endpoint: 'https://example.com/hook' }));
  bytes[Buffer.from(bytes).indexOf('n~') + 1] = 0xff;
  return bytes;
}

describe('request messages with text REST refuses, over every RPC protocol', () => {
  let testApp: GrpcTestApp;
  let token: string;
  let instanceId: string;
  let ports: ReadonlyArray<[string, { baseUrl: string } | { h2cUrl: string }]>;

  beforeAll(async () => {
    testApp = await startGrpcTestApp();
    instanceId = `instance-${randomUUID()}`;
    token = await testApp.token(instanceId);
    ports = [
      ['the HTTP port', { baseUrl: testApp.httpUrl }],
      ['the h2c port', { h2cUrl: `http://127.0.0.1:${testApp.grpcPort}` }],
    ];
  });
  afterAll(() => testApp.close());

  async function overRest(path: string, body: Buffer): Promise<{ code: number; message: string }> {
    const response = await fetch(`${testApp.httpUrl}${path}`, { method: path === '/v3alpha/executions' ? 'PUT' : 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    const { code, message } = (await response.json()) as { code: number; message: string };
    return { code, message };
  }

  it.each(HOSTILE_JSON)('refuses %s in JSON over Connect and gRPC-web on both ports exactly as REST does', async (_case, body) => {
    const isExecution = body.toString('latin1').startsWith('{"condition"');
    const expected = await overRest(isExecution ? '/v3alpha/executions' : '/v3alpha/targets', body);
    expect(expected.code).toBe(3);
    const path = isExecution ? '/zitadel.action.v3alpha.ActionService/SetExecution' : CREATE_TARGET;
    for (const [where, url] of ports) {
      for (const protocol of ['connect', 'grpc-web-json'] as const) {
        const { code, message } = await sendRawRpc(url, { protocol, path, message: body, token });
        expect({ where, protocol, code, message }).toEqual({ where, protocol, ...expected });
      }
    }
  });

  it('refuses bytes that are not a protobuf message as invalid (code 3, never 13) on every binary protocol', async () => {
    const calls: ReadonlyArray<[number, RawProtocol]> = [
      [0, 'grpc-web'],
      [0, 'connect-proto'],
      [1, 'grpc'],
      [1, 'grpc-web'],
      [1, 'connect-proto'],
    ];
    // Field 1 (name) as a length-delimited string of 255 bytes, then the message ends.
    const truncated = Buffer.from([0x0a, 0xff]);
    for (const [port, protocol] of calls) {
      const { code, message } = await sendRawRpc(ports[port][1], { protocol, path: CREATE_TARGET, message: truncated, token });
      expect({ protocol, port, code, message }).toEqual({
        protocol,
        port,
        code: 3,
        message: 'Request body is not a valid protobuf message of type zitadel.action.v3alpha.CreateTargetRequest (REQUEST-7hmv0qz3xk)',
      });
    }
    expect(await storedEvents(testApp, { tenant: instanceId })).toEqual([]);
  });

  it('refuses a binary message with a string that is not UTF-8 as the text rules refuse it, on every protocol', async () => {
    const calls: ReadonlyArray<[number, RawProtocol]> = [
      [0, 'grpc-web'],
      [0, 'connect-proto'],
      [1, 'grpc'],
      [1, 'grpc-web'],
      [1, 'connect-proto'],
    ];
    for (const [port, protocol] of calls) {
      const { code, message } = await sendRawRpc(ports[port][1], { protocol, path: CREATE_TARGET, message: binaryWithInvalidName(), token });
      expect({ protocol, port, code, message }).toEqual({
        protocol,
        port,
        code: 3,
        message: 'name must be Unicode text without NUL characters or unpaired surrogates (REQUEST-7hmv0qz3xk)',
      });
    }
  });

  it('answers a gRPC or gRPC-web call of an unknown method UNIMPLEMENTED, naming it, on both ports', async () => {
    const calls: ReadonlyArray<[number, RawProtocol, string]> = [
      [1, 'grpc', '/zitadel.action.v3alpha.ActionService/NoSuchRpc'],
      [1, 'grpc', '/zitadel.nothing.v1.NoService/Call'],
      [1, 'grpc-web', '/zitadel.action.v3alpha.ActionService/NoSuchRpc'],
      [0, 'grpc-web', '/zitadel.action.v3alpha.ActionService/NoSuchRpc'],
      [0, 'grpc-web', '/zitadel.nothing.v1.NoService/Call'],
    ];
    for (const [port, protocol, path] of calls) {
      const { code, message } = await sendRawRpc(ports[port][1], { protocol, path, message: new Uint8Array(), token });
      expect({ protocol, port, code, message }).toEqual({
        protocol,
        port,
        code: 12,
        message: `Method ${path} is not served: the gRPC port lists the services by server reflection (HTTP-5hc2x8wq0d)`,
      });
    }
  });

  it('checks the token before judging the body: without one, a malformed message is answered UNAUTHENTICATED on every protocol and port', async () => {
    const calls: ReadonlyArray<[number, RawProtocol, Buffer]> = [
      [0, 'connect', Buffer.from('{"name":"x",')],
      [0, 'grpc-web-json', Buffer.from('{"name":"x",')],
      [0, 'grpc-web', Buffer.from([0x0a, 0xff])],
      [0, 'connect-proto', Buffer.from([0x0a, 0xff])],
      [1, 'connect', Buffer.from('[1]')],
      [1, 'grpc', Buffer.from([0x0a, 0xff])],
      [1, 'grpc-web', Buffer.from([0x0a, 0xff])],
      [1, 'connect-proto', Buffer.from([0x0a, 0xff])],
    ];
    for (const [port, protocol, message] of calls) {
      const { code } = await sendRawRpc(ports[port][1], { protocol, path: CREATE_TARGET, message });
      expect({ protocol, port, code }).toEqual({ protocol, port, code: 16 });
    }
  });

  it('stored nothing for any of the refused calls', async () => {
    expect(await storedEvents(testApp, { tenant: instanceId })).toEqual([]);
  });
});
