import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import type { NetworkPolicy } from '../../common/network/network-policy';

/** A call was refused because its endpoint reaches an address TARGET_ALLOWED_NETWORKS does not allow. */
export class BlockedAddressError extends Error {
  readonly code = 'E_TARGET_ADDRESS_BLOCKED';
  constructor(host: string, address: string | undefined) {
    super(`${host} resolves to ${address ?? 'no address'}, which targets may not reach (see TARGET_ALLOWED_NETWORKS)`);
    this.name = 'BlockedAddressError';
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** Resolves a name to all its addresses (dns.lookup with `all: true`); replaceable in tests. */
export type Resolver = (hostname: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/** dns.lookup that hands out only allowed addresses, so no connection to a refused one is even attempted. */
function guardedLookup(policy: NetworkPolicy, resolve: Resolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error, []);
      const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
      const allowed = addresses.filter((entry) => policy.allows(entry.address) && (family === 0 || entry.family === family));
      if (allowed.length === 0) return callback(new BlockedAddressError(hostname, addresses[0]?.address), []);
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/**
 * undici's connector with the network policy applied twice: names resolve only to allowed
 * addresses, and the address the socket actually connected to is checked before any byte of
 * the request is written, so DNS rebinding or a literal address cannot get around it.
 */
export function guardedConnector(policy: NetworkPolicy, connectTimeoutMs: number, resolve: Resolver = systemResolver): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(policy, resolve), timeout: connectTimeoutMs, keepAlive: true });
  return (options, callback) => {
    if (isIP(options.hostname.replace(/^\[(.*)\]$/, '$1')) !== 0 && !policy.allows(options.hostname)) {
      callback(new BlockedAddressError(options.hostname, options.hostname), null);
      return;
    }
    connect(options, (error, socket) => {
      if (error !== null) return callback(error, null);
      const remote = socket.remoteAddress;
      if (remote === undefined || !policy.allows(remote)) {
        socket.destroy();
        return callback(new BlockedAddressError(options.hostname, remote), null);
      }
      callback(null, socket);
    });
  };
}
