import { readFileSync } from 'node:fs';
import { sourceAsset } from '../assets';

/** The catalogue file could not be read or does not have the expected shape. */
export class CatalogueError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CatalogueError';
  }
}

/**
 * What the host system exposes that executions can be set on: services with their methods,
 * and functions. File shape:
 * `{ "services": { "zitadel.session.v2.SessionService": ["ListSessions", ...] }, "functions": ["Action.Flow..."] }`
 */
export class Catalogue {
  /** Full method names, `/pkg.Service/Method`, sorted. */
  readonly methods: readonly string[];
  readonly services: readonly string[];
  readonly functions: readonly string[];
  private readonly methodSet: ReadonlySet<string>;
  private readonly serviceSet: ReadonlySet<string>;
  private readonly functionSet: ReadonlySet<string>;

  constructor(services: Readonly<Record<string, readonly string[]>>, functions: readonly string[]) {
    this.services = Object.keys(services).sort();
    this.methods = this.services.flatMap((service) => services[service].map((method) => `/${service}/${method}`)).sort();
    this.functions = [...new Set(functions)].sort();
    this.methodSet = new Set(this.methods);
    this.serviceSet = new Set(this.services);
    this.functionSet = new Set(this.functions);
  }

  hasMethod(method: string): boolean {
    return this.methodSet.has(method);
  }

  hasService(service: string): boolean {
    return this.serviceSet.has(service);
  }

  hasFunction(name: string): boolean {
    return this.functionSet.has(name);
  }
}

export const DEFAULT_CATALOGUE_FILE = sourceAsset('catalogue/default-catalogue.json');

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** Validates a parsed catalogue document; `source` names the file in error messages. */
export function parseCatalogue(document: unknown, source: string): Catalogue {
  const fail = (problem: string): never => {
    throw new CatalogueError(`Catalogue ${source}: ${problem}`);
  };
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return fail('must be a JSON object');
  const { services, functions } = document as { services?: unknown; functions?: unknown };
  if (typeof services !== 'object' || services === null || Array.isArray(services)) return fail('"services" must be an object of service name to method names');
  const checked: Record<string, string[]> = {};
  for (const [service, methods] of Object.entries(services)) {
    if (!NAME.test(service)) fail(`service name ${JSON.stringify(service)} is not a dotted name`);
    if (!Array.isArray(methods) || !methods.every((method) => typeof method === 'string' && NAME.test(method) && !method.includes('.'))) {
      fail(`"services.${service}" must be a list of method names`);
    }
    checked[service] = methods as string[];
  }
  if (!Array.isArray(functions) || !functions.every((name) => typeof name === 'string' && name !== '' && !name.startsWith('/'))) {
    return fail('"functions" must be a list of non-empty function names');
  }
  return new Catalogue(checked, functions as string[]);
}

/** Reads and validates a catalogue file; throws CatalogueError with the reason. */
export function loadCatalogue(file: string = DEFAULT_CATALOGUE_FILE): Catalogue {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CatalogueError(`Catalogue ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new CatalogueError(`Catalogue ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseCatalogue(document, file);
}
