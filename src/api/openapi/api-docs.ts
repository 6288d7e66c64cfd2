import type { INestApplication } from '@nestjs/common';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { EMBEDDED_TOKEN_COMMAND } from '../../auth/describe-embedded-auth';
import { ActionService as V2ActionService } from '../../grpc/gen/zitadel/action/v2/action_service_pb';
import { ActionService as V2betaActionService } from '../../grpc/gen/zitadel/action/v2beta/action_service_pb';
import { RUNTIME_V1_DOCS } from '../runtime-v1/rest-docs';
import { actionsV2Docs } from '../v2/rest-docs';
import { V3ALPHA_DOCS } from '../v3alpha/rest-docs';
import { deriveServicePaths } from './derive-document';
import { SYSTEM_PATHS, SYSTEM_SCHEMAS } from '../../system/system-docs';
import { OPERATIONAL_PATHS, SHARED_SCHEMAS } from './operational-routes';
import type { ServiceDocs } from './service-docs';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';
export const BEARER_SCHEME = 'bearer';

/** Every API service the REST layer serves; a new version adds its docs table here. */
export const API_SERVICES: readonly ServiceDocs[] = [V3ALPHA_DOCS, actionsV2Docs(V2ActionService), actionsV2Docs(V2betaActionService), RUNTIME_V1_DOCS] as unknown as ServiceDocs[];

/**
 * The OpenAPI document of the HTTP API: the API services derived from their
 * descriptors (see derive-document.ts), plus the event stream and the operational endpoints.
 * Bearer authentication on every route but the public ones.
 */
export function buildApiDocument(): OpenAPIObject {
  const { paths, schemas } = deriveServicePaths(API_SERVICES);
  return {
    openapi: '3.0.0',
    info: {
      title: 'Actions v3alpha',
      description:
        'zitadel.action.v3alpha.ActionService over HTTP/JSON (also served over gRPC, gRPC-web and Connect). 64-bit integers are strings, ' +
        'timestamps RFC 3339, durations strings such as "10s". Every error has the body `Status`.',
      version: 'v3alpha',
    },
    paths: { ...paths, ...OPERATIONAL_PATHS, ...SYSTEM_PATHS },
    components: {
      securitySchemes: {
        [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `A token from the identity provider; in embedded mode, \`${EMBEDDED_TOKEN_COMMAND}\` prints one` },
      },
      schemas: { ...schemas, ...SHARED_SCHEMAS, ...SYSTEM_SCHEMAS },
    },
    security: [{ [BEARER_SCHEME]: [] }],
  };
}

/**
 * Serves Swagger UI at /docs and the document at /docs-json (no token needed). Call before listen().
 * The document is built on its first request, not during start-up.
 */
export function setUpApiDocs(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, buildApiDocument, { jsonDocumentUrl: DOCS_JSON_PATH, yamlDocumentUrl: `${DOCS_JSON_PATH}.yaml`, customSiteTitle: 'Actions v3alpha API' });
}
