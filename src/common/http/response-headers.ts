import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';

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

interface RouterWithStack {
  stack?: unknown[];
}

/**
 * Headers every answer carries: no `X-Powered-By` (it names the framework to attackers),
 * `X-Content-Type-Options: nosniff` (a browser never runs an answer as another type), API
 * answers `Cache-Control: no-store` (tenant data must not stay in shared caches) and the docs a
 * content security policy. Mounted ahead of every other middleware, the gRPC-web and Connect
 * one included (mounted while the modules were created), so every answer, errors too, has them.
 */
export function applyResponseHeaders(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.use((request: IncomingMessage, response: ServerResponse, next: () => void) => {
    response.setHeader('x-content-type-options', 'nosniff');
    if (isDocsPath(request.url)) response.setHeader('content-security-policy', DOCS_CONTENT_SECURITY_POLICY);
    else response.setHeader('cache-control', 'no-store');
    next();
  });
  // Express appends to its router's stack: move the middleware just added to the front.
  const stack = (app.getHttpAdapter().getInstance() as { router?: RouterWithStack }).router?.stack;
  if (Array.isArray(stack) && stack.length > 1) stack.unshift(stack.pop());
}
