import type { Permission } from '../../auth/permissions';
import type { ActionService } from '../gen/zitadel/action/v3alpha/action_service_pb';

/**
 * The permission each RPC requires (spec §1). Keyed by the generated method keys, so adding an
 * RPC to the proto without deciding its permission fails to compile.
 */
export const ACTION_SERVICE_PERMISSIONS: Readonly<Record<keyof typeof ActionService.method, Permission>> = {
  createTarget: 'execution.target.write',
  updateTarget: 'execution.target.write',
  deleteTarget: 'execution.target.delete',
  getTargetByID: 'execution.target.read',
  listTargets: 'execution.target.read',
  setExecution: 'execution.write',
  deleteExecution: 'execution.delete',
  listExecutions: 'execution.read',
  listExecutionFunctions: 'execution.read',
  listExecutionMethods: 'execution.read',
  listExecutionServices: 'execution.read',
};
