import { create, createFileRegistry, fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { createClient } from '@connectrpc/connect';
import { connectNodeAdapter, createGrpcTransport } from '@connectrpc/connect-node';
import { file_zitadel_action_v3alpha_action_service } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import {
  ServerReflection,
  type ServerReflectionRequestSchema,
  type ServerReflectionResponse,
} from '../../src/grpc/gen/grpc/reflection/v1/reflection_pb';
import { ServerReflection as ServerReflectionV1alpha } from '../../src/grpc/gen/grpc/reflection/v1alpha/reflection_pb';
import { registerReflection } from '../../src/grpc/reflection/reflection.routes';
import { H2cServer } from '../../src/grpc/server/h2c-server';
import { file_zitadel_v1_error_detail } from '../../src/grpc/gen/zitadel/v1/error_detail_pb';

// Reflection over native gRPC (HTTP/2 bidi stream), as grpcurl uses it.
describe('gRPC server reflection', () => {
  const served = [file_zitadel_action_v3alpha_action_service, file_zitadel_v1_error_detail];
  const server = new H2cServer(connectNodeAdapter({ routes: (router) => registerReflection(router, served) }));
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => server.close());

  async function ask(...requests: MessageInitShape<typeof ServerReflectionRequestSchema>[]): Promise<ServerReflectionResponse[]> {
    const client = createClient(ServerReflection, createGrpcTransport({ baseUrl }));
    async function* send() {
      for (const request of requests) yield request;
    }
    const responses: ServerReflectionResponse[] = [];
    for await (const response of client.serverReflectionInfo(send())) responses.push(response);
    return responses;
  }

  it('lists the Actions service and both reflection services', async () => {
    const [response] = await ask({ messageRequest: { case: 'listServices', value: '*' } });
    expect(response.messageResponse.case).toBe('listServicesResponse');
    const names = response.messageResponse.case === 'listServicesResponse' ? response.messageResponse.value.service.map((s) => s.name) : [];
    expect(names).toEqual(
      expect.arrayContaining(['zitadel.action.v3alpha.ActionService', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']),
    );
  });

  it('returns the file of a service with every import, enough to build the method descriptors', async () => {
    const [response] = await ask({ messageRequest: { case: 'fileContainingSymbol', value: 'zitadel.action.v3alpha.ActionService' } });
    if (response.messageResponse.case !== 'fileDescriptorResponse') throw new Error(`unexpected ${response.messageResponse.case}`);
    const files = response.messageResponse.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    expect(files[0].name).toBe('zitadel/action/v3alpha/action_service.proto');
    // A client rebuilds the schema from these bytes alone.
    const rebuilt = createFileRegistry(create(FileDescriptorSetSchema, { file: dependenciesFirst(files) }));
    const service = rebuilt.getService('zitadel.action.v3alpha.ActionService');
    expect(service?.methods.map((m) => m.name)).toContain('DeleteExecution');
    const execution = rebuilt.getMessage('zitadel.action.v3alpha.Execution');
    expect(execution?.fields.find((f) => f.number === 1)?.jsonName).toBe('Condition');
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(['google/protobuf/duration.proto', 'google/protobuf/timestamp.proto', 'zitadel/object/v2beta/object.proto']));
  });

  it('finds the file of a method and of a message, and sends each dependency once per stream', async () => {
    const [byMethod, byMessage] = await ask(
      { messageRequest: { case: 'fileContainingSymbol', value: 'zitadel.action.v3alpha.ActionService.SetExecution' } },
      { messageRequest: { case: 'fileContainingSymbol', value: 'zitadel.object.v2beta.Details' } },
    );
    expect(byMethod.messageResponse.case).toBe('fileDescriptorResponse');
    if (byMessage.messageResponse.case !== 'fileDescriptorResponse') throw new Error('expected a file');
    // object.proto was already sent as a dependency, but a requested file is always sent.
    expect(byMessage.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b).name)).toEqual([
      'zitadel/object/v2beta/object.proto',
    ]);
  });

  it('answers unknown symbols and files with NOT_FOUND', async () => {
    const [symbol, file] = await ask(
      { messageRequest: { case: 'fileContainingSymbol', value: 'no.such.Service' } },
      { messageRequest: { case: 'fileByFilename', value: 'no/such.proto' } },
    );
    expect(symbol.messageResponse).toMatchObject({ case: 'errorResponse', value: { errorCode: 5 } });
    expect(file.messageResponse).toMatchObject({ case: 'errorResponse', value: { errorCode: 5 } });
  });

  it('serves the v1alpha protocol that older tools use', async () => {
    const client = createClient(ServerReflectionV1alpha, createGrpcTransport({ baseUrl }));
    async function* send() {
      yield { messageRequest: { case: 'fileByFilename' as const, value: 'zitadel/v1/error_detail.proto' } };
    }
    const responses = [];
    for await (const response of client.serverReflectionInfo(send())) responses.push(response);
    expect(responses).toHaveLength(1);
    expect(responses[0].messageResponse.case).toBe('fileDescriptorResponse');
  });
});

function dependenciesFirst(files: FileDescriptorProto[]): FileDescriptorProto[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  const ordered: FileDescriptorProto[] = [];
  const visit = (file: FileDescriptorProto | undefined): void => {
    if (!file || ordered.includes(file)) return;
    file.dependency.forEach((name) => visit(byName.get(name)));
    ordered.push(file);
  };
  files.forEach(visit);
  return ordered;
}
