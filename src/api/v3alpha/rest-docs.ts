import type { ServiceDocs } from '../openapi/service-docs';
import { ACTION_SERVICE_PERMISSIONS } from '../../grpc/auth/rpc-permissions';
import { ActionService } from '../../grpc/gen/zitadel/action/v3alpha/action_service_pb';

const SESSION_LIST = '/zitadel.session.v2.SessionService/ListSessions';

/**
 * zitadel.action.v3alpha.ActionService as REST serves and documents it. Paths, verbs and shapes
 * come from the proto; this adds what the proto does not say: success status, summaries, the
 * API's error ids, and "Try it out" bodies (a test sends each and expects a documented status).
 */
export const V3ALPHA_DOCS: ServiceDocs<typeof ActionService> = {
  service: ActionService,
  permissions: ACTION_SERVICE_PERMISSIONS,
  rpcs: {
    createTarget: {
      summary: 'Create a target',
      tag: 'Targets',
      status: 201,
      errors: { '409': 'Name taken in this instance (code 6, INSTANCE-9axkz0jvzm)' },
      example: { name: 'ip_allow_list', restWebhook: { interruptOnError: true }, timeout: '10s', endpoint: 'https://example.com/hooks/ip_check' },
    },
    updateTarget: {
      summary: 'Update a target',
      tag: 'Targets',
      errors: { '404': 'No such target (code 5, COMMAND-xj14f2cccn)', '409': 'Name taken (code 6)' },
      example: { name: 'ip_allow_list_v2', timeout: '5s' },
    },
    deleteTarget: {
      summary: 'Delete a target; executions listing it drop it shortly after',
      tag: 'Targets',
      errors: { '404': 'No such target (code 5, COMMAND-k4s7ucu0ax)' },
    },
    getTargetByID: { summary: 'Get a target', tag: 'Targets', errors: { '404': 'No such target (code 5)' } },
    listTargets: {
      summary: 'List targets',
      tag: 'Targets',
      example: { query: { offset: '0', limit: 100, asc: true }, sortingColumn: 'TARGET_FIELD_NAME_NAME', queries: [{ targetNameQuery: { targetName: 'ip_', method: 'TEXT_QUERY_METHOD_STARTS_WITH' } }] },
    },
    setExecution: {
      summary: 'Create or replace the execution of a condition',
      tag: 'Executions',
      errors: {
        '404': 'Method (COMMAND-vysplsevt8), service, function, target (COMMAND-17e8fq1ggk) or include (COMMAND-slgj0l4cdz) not found (code 5)',
        '409': 'Lost a concurrent modification (code 10)',
      },
      example: { condition: { request: { method: SESSION_LIST } }, targets: [{ target: '270497637491802133' }] },
    },
    deleteExecution: {
      summary: 'Delete the execution of a condition',
      tag: 'Executions',
      errors: { '404': 'No such execution (code 5, COMMAND-suq2upd3rt)', '409': 'Lost a concurrent modification (code 10)' },
      example: { condition: { request: { method: SESSION_LIST } } },
    },
    listExecutions: {
      summary: 'List executions, ordered by id',
      tag: 'Executions',
      example: { query: { limit: 100 }, queries: [{ executionTypeQuery: { executionType: 'EXECUTION_TYPE_REQUEST' } }] },
    },
    listExecutionFunctions: { summary: 'Functions executions can be set for', tag: 'Executions' },
    listExecutionMethods: { summary: 'Methods request and response executions can be set for', tag: 'Executions' },
    listExecutionServices: { summary: 'Services request and response executions can be set for', tag: 'Executions' },
  },
};
