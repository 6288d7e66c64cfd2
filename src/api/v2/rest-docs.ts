import type { Permission } from '../../auth/permissions';
import type { RpcDoc, ServiceDocs } from '../openapi/service-docs';
import type { ActionsV2Package } from './rpc-services';

const SESSION_LIST = '/zitadel.session.v2.SessionService/ListSessions';

type RpcName = keyof ActionsV2Package['method'];

/** The permission each RPC requires (spec §1); the catalogue lists need only a valid token. */
export const ACTIONS_V2_PERMISSIONS: Readonly<Record<RpcName, Permission | undefined>> = {
  createTarget: 'action.target.write',
  updateTarget: 'action.target.write',
  deleteTarget: 'action.target.delete',
  getTarget: 'action.target.read',
  listTargets: 'action.target.read',
  setExecution: 'action.execution.write',
  listExecutions: 'action.execution.read',
  listExecutionFunctions: undefined,
  listExecutionMethods: undefined,
  listExecutionServices: undefined,
};

const RPC_DOCS: Readonly<Record<RpcName, RpcDoc>> = {
  createTarget: {
    summary: 'Create a target (its signing key in the answer)',
    tag: 'Targets',
    errors: { '409': 'Name taken in this instance (code 6, INSTANCE-9axkz0jvzm)' },
    example: { name: 'ip_allow_list', restWebhook: { interruptOnError: true }, timeout: '10s', endpoint: 'https://example.com/hooks/ip_check' },
  },
  updateTarget: {
    summary: 'Update a target; expirationSigningKey rotates its signing key',
    tag: 'Targets',
    errors: { '404': 'No such target (code 5, COMMAND-xj14f2cccn)', '409': 'Name taken (code 6)' },
    example: { name: 'ip_allow_list_v2', timeout: '5s' },
  },
  deleteTarget: { summary: 'Delete a target; a target already gone answers without deletionDate or with its removal date', tag: 'Targets' },
  getTarget: { summary: 'Get a target', tag: 'Targets', errors: { '404': 'No such target (code 5)' } },
  listTargets: {
    summary: 'List targets, newest first unless asc',
    tag: 'Targets',
    errors: { '400': 'A limit above 1000 (code 3, QUERY-4M0fs)' },
    example: { pagination: { offset: '0', limit: 100, asc: true }, sortingColumn: 'TARGET_FIELD_NAME_NAME', filters: [{ targetNameFilter: { targetName: 'ip_', method: 'TEXT_FILTER_METHOD_STARTS_WITH' } }] },
  },
  setExecution: {
    summary: 'Set the targets of the execution of a condition; no targets removes it',
    tag: 'Executions',
    errors: { '404': 'Method (COMMAND-vysplsevt8), service, function or target (COMMAND-17e8fq1ggk) not found (code 5)', '409': 'Lost a concurrent modification (code 10)' },
    example: { condition: { request: { method: SESSION_LIST } }, targets: ['270497637491802133'] },
  },
  listExecutions: {
    summary: 'List executions, newest first unless asc',
    tag: 'Executions',
    errors: { '400': 'A limit above 1000 (code 3, QUERY-4M0fs)' },
    example: { pagination: { limit: 100 }, filters: [{ executionTypeFilter: { executionType: 'EXECUTION_TYPE_REQUEST' } }] },
  },
  listExecutionFunctions: { summary: 'Functions executions can be set for', tag: 'Executions' },
  listExecutionMethods: { summary: 'Methods request and response executions can be set for', tag: 'Executions' },
  listExecutionServices: { summary: 'Services request and response executions can be set for', tag: 'Executions' },
};

/** zitadel.action.v2 or v2beta as REST serves and documents it (paths, verbs and shapes from its proto). */
export const actionsV2Docs = (service: ActionsV2Package): ServiceDocs<ActionsV2Package> => ({ service, permissions: ACTIONS_V2_PERMISSIONS, rpcs: RPC_DOCS });
