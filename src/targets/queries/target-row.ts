import type { TargetRow } from '../projection/target.entity';
import type { TargetView } from './target.view';

export const toTargetView = (row: TargetRow): TargetView => ({
  id: row.id,
  name: row.name,
  targetType: row.targetType,
  endpoint: row.endpoint,
  timeout: row.timeout,
  interruptOnError: row.interruptOnError,
  creationDate: row.creationDate,
  details: { sequence: row.sequence, changeDate: row.changeDate, resourceOwner: row.instance },
});
