import catalogue from '../../src/catalogue/default-catalogue.json';
import type { ConditionJson } from '../support/api-client';

const methods: string[] = Object.entries(catalogue.services as Record<string, string[]>).flatMap(([service, names]) =>
  names.map((name) => `/${service}/${name}`),
);
const services: string[] = Object.keys(catalogue.services);
const functions: string[] = catalogue.functions;

/**
 * The conditions write connection `index` cycles through, all distinct from every other
 * connection's in the same instance: catalogue methods and services on the request and
 * response side, functions, event names and groups. The `shares` connections of one instance
 * split the catalogue between them (this one takes share `share`); event names carry the
 * connection index. Many conditions keep each
 * execution's stream short, as in real use (an execution is set and removed now and then).
 */
export function writeConditions(connection: { index: number; share: number; shares: number }): ConditionJson[] {
  const { index, share: slot, shares } = connection;
  const share = <T>(items: readonly T[]): T[] => items.filter((_item, position) => position % shares === slot);
  const conditions: ConditionJson[] = [];
  for (const method of share(methods)) conditions.push({ request: { method } }, { response: { method } });
  for (const service of share(services)) conditions.push({ request: { service } }, { response: { service } });
  for (const name of share(functions)) conditions.push({ function: { name } });
  for (let event = 0; event < 200; event += 1) {
    conditions.push({ event: { event: `bench.c${index}.object${event}.changed` } }, { event: { group: `bench.c${index}.group${event}` } });
  }
  // Interleave kinds so consecutive writes touch different parts of the catalogue and log.
  return conditions.map((condition, position) => ({ condition, key: (position * 7919) % conditions.length })).sort((a, b) => a.key - b.key).map(({ condition }) => condition);
}
