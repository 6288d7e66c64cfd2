// A real OIDC provider for the console's sign-in test (panva's oidc-provider, an ES module, so it
// runs in a process of its own): a public client with PKCE, JWT access tokens for the service's
// audience carrying the claims the service reads, and its development login and consent pages.
//
// Environment: PORT, CLIENT_ID, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI, RESOURCE, AUDIENCE, SCOPE,
// INSTANCE_ID. Prints "listening <issuer>" once it answers. A line "access-token-ttl <seconds>" on
// stdin sets the lifetime of the access tokens issued after it.
import { generateKeyPairSync } from 'node:crypto';
import { createInterface } from 'node:readline';
import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const issuer = `http://127.0.0.1:${env('PORT')}`;
const redirectUri = env('REDIRECT_URI');
let accessTokenTtl = 3600;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('CLIENT_ID'),
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [env('POST_LOGOUT_REDIRECT_URI')],
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' }] },
  cookies: { keys: ['console-oidc-test'] },
  pkce: { required: () => true },
  clientBasedCORS: (_ctx, origin) => origin === new URL(redirectUri).origin,
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  extraTokenClaims: () => ({ instance_id: env('INSTANCE_ID'), roles: ['IAM_OWNER'] }),
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // The console names no resource: the provider issues its access tokens for the service.
      defaultResource: () => env('RESOURCE'),
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: env('SCOPE'),
        audience: env('AUDIENCE'),
        accessTokenFormat: 'jwt',
        accessTokenTTL: accessTokenTtl,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, value] = line.trim().split(/\s+/);
  if (command === 'access-token-ttl') accessTokenTtl = Number(value);
});

provider.listen(Number(env('PORT')), '127.0.0.1', () => console.log(`listening ${issuer}`));
