import type { Catalogue } from '../../catalogue/catalogue';
import type { Condition } from '../domain/condition';
import { ExecutionErrors } from '../domain/execution-errors';

/** An execution is only set on a method, service or function the catalogue lists. */
export function checkConditionInCatalogue(catalogue: Catalogue, condition: Condition): void {
  switch (condition.match) {
    case 'method':
      if (!catalogue.hasMethod(condition.value)) throw ExecutionErrors.methodNotFound(condition.value);
      return;
    case 'service':
      if (!catalogue.hasService(condition.value)) throw ExecutionErrors.serviceNotFound(condition.value);
      return;
    case 'name':
      if (!catalogue.hasFunction(condition.value)) throw ExecutionErrors.functionNotFound(condition.value);
      return;
  }
}
