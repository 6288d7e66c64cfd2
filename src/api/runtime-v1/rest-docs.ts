import type { Permission } from '../../auth/permissions';
import type { ServiceDocs } from '../openapi/service-docs';
import { RuntimeService } from '../../grpc/gen/actions/runtime/v1/runtime_service_pb';

type Rpc = keyof typeof RuntimeService.method;

const RUN: Permission = 'action.execution.run';

/** Every runtime RPC needs action.execution.run (the role ACTIONS_RUNNER has only it). */
export const RUNTIME_V1_PERMISSIONS: Readonly<Record<Rpc, Permission>> = {
  runRequest: RUN,
  runResponse: RUN,
  runFunction: RUN,
  publishEvents: RUN,
};

const SESSION_LIST = '/zitadel.session.v2.SessionService/ListSessions';
const RUN_ERRORS = {
  '400': 'A target with interruptOnError failed (code 9, EXEC-dra6yamk98), or a restCall forwarded a 4xx other than 403 (code 9, EXEC-bmhNhpcqpF)',
  '403': 'A restCall forwarded a 403 (code 7, EXEC-reUaUZCzCp), with its message',
};

/**
 * actions.runtime.v1.RuntimeService as REST serves and documents it; paths and shapes come from
 * the proto. The examples run nothing in an instance without executions.
 */
export const RUNTIME_V1_DOCS: ServiceDocs<typeof RuntimeService> = {
  service: RuntimeService,
  permissions: RUNTIME_V1_PERMISSIONS,
  rpcs: {
    runRequest: {
      summary: "Run a method's request execution; answers the request as the restCalls changed it",
      tag: 'Runtime',
      errors: RUN_ERRORS,
      example: { fullMethod: SESSION_LIST, request: { query: { limit: 10 } }, headers: { 'x-request-id': ['abc'] }, userId: '2704976374918' },
    },
    runResponse: {
      summary: "Run a method's response execution; answers the response as the restCalls changed it",
      tag: 'Runtime',
      errors: RUN_ERRORS,
      example: { fullMethod: SESSION_LIST, request: { query: { limit: 10 } }, response: { sessions: [] } },
    },
    runFunction: {
      summary: "Run a function's execution; answers what its restCalls gathered, in order",
      tag: 'Runtime',
      errors: RUN_ERRORS,
      example: { payload: { user: { id: '2704976374918' } } },
    },
    publishEvents: {
      summary: 'Store 1 to 1000 events for the event executions, once per id',
      tag: 'Runtime',
      status: 202,
      example: {
        events: [
          {
            id: '2c9f5e0e-7a52-4e3b-9a44-3b1f0f0e2a10',
            aggregateId: '2704976374918',
            aggregateType: 'user',
            resourceOwner: '2704976374917',
            version: 'v2',
            sequence: '1',
            eventType: 'user.human.added',
            createdAt: '2026-01-02T03:04:05.123456789Z',
            payload: { userName: 'ada' },
          },
        ],
      },
    },
  },
};
