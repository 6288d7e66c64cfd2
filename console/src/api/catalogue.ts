import { api } from './client';

export interface Catalogue {
  services: string[];
  /** Full method names, `/pkg.Service/Method`. */
  methods: string[];
  functions: string[];
}

/** The catalogue endpoints: what an execution can be set on. */
export async function loadCatalogue(): Promise<Catalogue> {
  const [services, methods, functions] = await Promise.all([
    api<{ services?: string[] }>('GET', '/v3alpha/executions/services'),
    api<{ methods?: string[] }>('GET', '/v3alpha/executions/methods'),
    api<{ functions?: string[] }>('GET', '/v3alpha/executions/functions'),
  ]);
  return { services: services.services ?? [], methods: methods.methods ?? [], functions: functions.functions ?? [] };
}

/** The methods of `service`, as full names. */
export function methodsOf(catalogue: Catalogue, service: string): string[] {
  const prefix = `/${service}/`;
  return catalogue.methods.filter((method) => method.startsWith(prefix));
}
