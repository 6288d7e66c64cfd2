export { AuthModule } from './auth.module';
export { AuthGuard } from './auth.guard';
export { AuthErrorId, permissionDeniedError } from './auth-errors';
export type { Caller } from './caller';
export { ALL_PERMISSIONS, SYSTEM_PERMISSIONS, TENANT_PERMISSIONS, isPermission, type Permission, type SystemPermission, type TenantPermission } from './permissions';
export { CurrentCaller, Public, RequirePermission, callerOf } from './decorators';
export { TokenVerifier, bearerTokenOf, type TokenVerifierOptions } from './token-verifier';
export { createTokenVerifier, type TokenVerifierTuning } from './create-token-verifier';
export {
  ACCEPTED_ALGORITHMS,
  KeySourceUnavailableError,
  loadJwksFile,
  localKeyResolver,
  remoteKeyResolver,
  type KeyResolver,
  type RemoteKeyOptions,
} from './key-sources';
export { DEFAULT_ROLE_MAP, loadRoleMapFile, permissionsOfRoles, type RoleMap } from './role-map';
export {
  EMBEDDED_AUDIENCE,
  EMBEDDED_ISSUER,
  embeddedKeyPaths,
  ensureEmbeddedKeys,
  type EmbeddedKeyPaths,
  type EmbeddedKeys,
} from './embedded-keys';
export { signEmbeddedToken, DEFAULT_EMBEDDED_SUBJECT, DEFAULT_EMBEDDED_TOKEN_LIFETIME_SECONDS, type EmbeddedTokenClaims } from './sign-embedded-token';
export { currentRuntime, describeEmbeddedAuth, IMAGE_MARKER_VARIABLE } from './describe-embedded-auth';
