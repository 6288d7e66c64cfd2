import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { RESPONSE_SCHEMAS } from './api-schemas';
import { OPERATIONS } from './api-operations';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';
export const BEARER_SCHEME = 'bearer';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * The OpenAPI document of the HTTP API: paths and request bodies scanned from the controllers
 * and DTOs, responses and the error body from {@link OPERATIONS}, bearer authentication on
 * every route but the public ones.
 */
export function buildApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Actions v3alpha')
    .setDescription(
      'zitadel.action.v3alpha.ActionService over HTTP/JSON (also served over gRPC, gRPC-web and Connect). 64-bit integers are strings, ' +
        'timestamps RFC 3339, durations strings such as "10s". Every error has the body `Status`.',
    )
    .setVersion('v3alpha')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A token from the identity provider (or `npm run cli -- token` in embedded mode)' }, BEARER_SCHEME)
    .addSecurityRequirements(BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...RESPONSE_SCHEMAS } };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      const doc = OPERATIONS[`${method} ${path}`];
      if (!operation || !doc) continue;
      operation.operationId = doc.operationId;
      operation.summary = doc.summary;
      operation.tags = [doc.tag];
      operation.responses = doc.responses;
      if (doc.parameters) operation.parameters = doc.parameters;
      if (doc.public) operation.security = [];
    }
  }
  return document;
}

/** Serves Swagger UI at /docs and the document at /docs-json (no token needed). Call before listen(). */
export function setUpApiDocs(app: INestApplication): OpenAPIObject {
  const document = buildApiDocument(app);
  SwaggerModule.setup(DOCS_PATH, app, document, { jsonDocumentUrl: DOCS_JSON_PATH, yamlDocumentUrl: `${DOCS_JSON_PATH}.yaml`, customSiteTitle: 'Actions v3alpha API' });
  return document;
}
