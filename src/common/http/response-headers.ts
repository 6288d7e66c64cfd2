import type { Server } from 'node:http';
import { addFrontDoorStep, FrontDoorOrder } from './front-door';

/** Paths of the API documentation (Swagger UI and the OpenAPI document). */
const DOCS_PREFIXES = ['/docs', '/docs-json'];

/**
 * Swagger UI loads its scripts from its own origin and uses inline styles; nothing else is
 * allowed, so injected markup in a document cannot run script or be framed.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function isDocsPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?', 1)[0];
  return DOCS_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}.`));
}

/**
 * Headers every answer carries: `X-Content-Type-Options: nosniff` (a browser never runs an
 * answer as another type), API answers `Cache-Control: no-store` (tenant data must not stay in
 * shared caches) and the docs a content security policy. Set ahead of routing, so every
 * answer, errors and gRPC-web and Connect calls too, has them. (No `X-Powered-By` naming the
 * framework is ever sent.)
 */
export function applyResponseHeaders(server: Server): void {
  addFrontDoorStep(server, FrontDoorOrder.responseHeaders, (request, response, next) => {
    response.setHeader('x-content-type-options', 'nosniff');
    if (isDocsPath(request.url)) response.setHeader('content-security-policy', DOCS_CONTENT_SECURITY_POLICY);
    else response.setHeader('cache-control', 'no-store');
    next();
  });
}
