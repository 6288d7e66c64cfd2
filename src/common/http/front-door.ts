import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { toStatusBody } from '../errors/api-error';
import { internalError } from '../errors/http-error-ids';

/** One step every request of the HTTP port passes before routing: it answers, or calls `next`. */
export type FrontDoorStep = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/** Where each step stands (lowest first), whatever order the modules adding them are created in. */
export const FrontDoorOrder = {
  /** Headers every answer carries (response-headers.ts). */
  responseHeaders: 0,
  /** Request id, context, metrics and the request log (http-context.middleware.ts). */
  requestContext: 10,
  /** The management-only paths, refused on the public port (management-server.ts). */
  managementPaths: 20,
  /** gRPC and gRPC-web calls of methods the port does not serve (grpc.module.ts). */
  unknownRpcMethods: 30,
} as const;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface Door {
  steps: { order: number; step: FrontDoorStep }[];
  /** The server's own request listeners (the framework's router), run after the steps. */
  inner: Handler[];
}

const doors = new WeakMap<Server, Door>();

function pass(door: Door, request: IncomingMessage, response: ServerResponse): void {
  let index = 0;
  const next = (): void => {
    const entry = door.steps[index++];
    if (entry) entry.step(request, response, next);
    else for (const handler of door.inner) handler(request, response);
  };
  try {
    next();
  } catch (error) {
    // A step's bug must not take the process down (the router catches its own errors).
    answerInternalError(response, error);
  }
}

function answerInternalError(response: ServerResponse, error: unknown): void {
  new Logger('HTTP').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.statusCode = 500;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(toStatusBody(internalError())));
}

function doorOf(server: Server): Door {
  let door = doors.get(server);
  if (door) return door;
  const created: Door = { steps: [], inner: server.listeners('request') as Handler[] };
  door = created;
  doors.set(server, door);
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => pass(created, request, response));
  return door;
}

/**
 * Adds a step ahead of the router of `server`, so it runs for every request, those the router
 * refuses itself (no route, a malformed path) included, in `order` among the other steps.
 */
export function addFrontDoorStep(server: Server, order: number, step: FrontDoorStep): void {
  const door = doorOf(server);
  door.steps.push({ order, step });
  door.steps.sort((a, b) => a.order - b.order);
}

/** Hands a request received elsewhere (the management port) to `server`'s steps and router. */
export function handleAsServer(server: Server, request: IncomingMessage, response: ServerResponse): void {
  pass(doorOf(server), request, response);
}
