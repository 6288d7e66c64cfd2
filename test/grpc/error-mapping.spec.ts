import { ConcurrencyConflictError } from '@app/eventsourcing';
import { EventStoreUnavailableError } from '@app/event-store';
import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import type { Caller } from '../../src/auth';
import { notFound } from '../../src/common/errors/api-error';
import { registerActionService } from '../../src/grpc/action-service.routes';
import { classifyError } from '../../src/grpc/errors/classify-error';
import { ActionService } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';
import { ErrorDetailSchema } from '../../src/grpc/gen/zitadel/v1/error_detail_pb';

// How failures that are not API errors leave over the RPC protocols (the end-to-end suites
// cover the API errors). Runs the real interceptors over Connect's in-memory transport.
describe('RPC error mapping', () => {
  const owner: Caller = { instanceId: 'i1', subject: 'alice', permissions: new Set(['execution.read']) };
  let failure: unknown;
  const logged: string[] = [];
  const client = createClient(
    ActionService,
    createRouterTransport((router) =>
      registerActionService(
        router,
        {
          listExecutionServices: () => {
            throw failure;
          },
        },
        { authenticate: async () => owner, verifyToken: async () => owner, toApiError: classifyError, logFailure: (_error, rpc) => logged.push(rpc) },
      ),
    ),
  );

  async function errorOf(thrown: unknown): Promise<{ code: Code; message: string; id: string | undefined }> {
    failure = thrown;
    try {
      await client.listExecutionServices({});
    } catch (error) {
      const connectError = ConnectError.from(error);
      return { code: connectError.code, message: connectError.rawMessage, id: connectError.findDetails(ErrorDetailSchema)[0]?.id };
    }
    throw new Error('the call succeeded');
  }

  beforeEach(() => {
    logged.length = 0;
  });

  it('passes API errors through with their code, message and id, without logging them', async () => {
    expect(await errorOf(notFound('COMMAND-x', 'Thing not found'))).toEqual({ code: Code.NotFound, message: 'Thing not found (COMMAND-x)', id: 'COMMAND-x' });
    expect(logged).toEqual([]);
  });

  it('answers a lost concurrency race as Aborted', async () => {
    expect(await errorOf(new ConcurrencyConflictError('execution:i1:request', 5))).toEqual({
      code: Code.Aborted,
      message: 'Concurrent modification, try again (COMMAND-0wrxk3c9pn)',
      id: 'COMMAND-0wrxk3c9pn',
    });
  });

  it('answers an unreachable store as Unavailable and logs it', async () => {
    expect(await errorOf(new EventStoreUnavailableError('connection refused'))).toMatchObject({ code: Code.Unavailable, id: 'STORE-4xn3b8zq1v' });
    expect(logged).toEqual(['zitadel.action.v3alpha.ActionService/ListExecutionServices']);
  });

  it('hides the details of unexpected errors from the client and logs them', async () => {
    const answer = await errorOf(new TypeError('secret internals at /srv/app.js:12'));
    expect(answer).toEqual({ code: Code.Internal, message: 'Internal error (INTERNAL-0hxk4m7q2c)', id: 'INTERNAL-0hxk4m7q2c' });
    expect(logged).toHaveLength(1);
  });

  it('refuses an RPC the caller lacks the permission for before the handler runs', async () => {
    failure = new Error('handler must not run');
    await expect(client.listTargets({})).rejects.toMatchObject({ code: Code.PermissionDenied, rawMessage: 'No matching permissions found: the call needs execution.target.read (AUTH-5mWD2)' });
    expect(logged).toEqual([]);
  });
});
