import type { DescFile } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { file_grpc_reflection_v1_reflection, ServerReflection as ServerReflectionV1 } from '../gen/grpc/reflection/v1/reflection_pb';
import {
  file_grpc_reflection_v1alpha_reflection,
  ServerReflection as ServerReflectionV1alpha,
} from '../gen/grpc/reflection/v1alpha/reflection_pb';
import { answerReflectionQuery } from './reflection-answer';
import { createReflectionRegistry } from './reflection-registry';

/**
 * Registers gRPC server reflection (v1, and v1alpha for older tools) describing `servedFiles`,
 * their imports and the reflection services themselves. The call is a bidirectional stream, so
 * it works over HTTP/2 (native gRPC) only.
 */
export function registerReflection(router: ConnectRouter, servedFiles: readonly DescFile[]): void {
  const registry = createReflectionRegistry([...servedFiles, file_grpc_reflection_v1_reflection, file_grpc_reflection_v1alpha_reflection]);
  router.service(ServerReflectionV1, {
    async *serverReflectionInfo(requests) {
      const sentFiles = new Set<string>();
      for await (const request of requests) {
        yield {
          validHost: request.host,
          originalRequest: request,
          messageResponse: answerReflectionQuery(registry, request.messageRequest, sentFiles),
        };
      }
    },
  });
  router.service(ServerReflectionV1alpha, {
    async *serverReflectionInfo(requests) {
      const sentFiles = new Set<string>();
      for await (const request of requests) {
        yield {
          validHost: request.host,
          originalRequest: request,
          messageResponse: answerReflectionQuery(registry, request.messageRequest, sentFiles),
        };
      }
    },
  });
}
