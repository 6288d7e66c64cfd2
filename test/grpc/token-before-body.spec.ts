import { createClient, createRouterTransport } from '@connectrpc/connect';
import type { Caller } from '../../src/auth';
import { registerActionService } from '../../src/grpc/action-service.routes';
import { classifyError } from '../../src/grpc/errors/classify-error';
import { ActionService } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';

// The token is checked before the body is read; an accepted call must not verify it again.
describe('token checked before the body', () => {
  it('verifies the token of an accepted call once and hands the caller to the permission check', async () => {
    const owner: Caller = { instanceId: 'i1', subject: 'alice', permissions: new Set(['execution.read']) };
    const verified: string[] = [];
    const authenticated: (Caller | undefined)[] = [];
    const client = createClient(
      ActionService,
      createRouterTransport((router) =>
        registerActionService(
          router,
          { listExecutionServices: () => ({ services: ['s'] }) },
          {
            verifyToken: async (authorization) => (verified.push(authorization ?? ''), owner),
            authenticate: async (authorization, already) => (authenticated.push(already), already ?? owner),
            toApiError: classifyError,
          },
        ),
      ),
    );
    const answer = await client.listExecutionServices({}, { headers: { authorization: 'Bearer t' } });
    expect(answer.services).toEqual(['s']);
    expect(verified).toEqual(['Bearer t']);
    expect(authenticated).toEqual([owner]);
  });
});
