import { TargetErrors } from './target-errors';
import { TargetType, type TargetFields } from './target-events';

/** A target's call settings as a caller states them (create: all; update: any subset). */
export type TargetSpec = TargetFields;

export function checkName(name: string): void {
  if (name.trim() === '') throw TargetErrors.nameEmpty();
}

export function checkTimeout(timeoutNanos: number): void {
  if (!(timeoutNanos > 0)) throw TargetErrors.noTimeout();
}

/** Targets are called over HTTP, so only absolute http(s) URLs with a host make sense. */
export function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw TargetErrors.badEndpoint();
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') throw TargetErrors.badEndpoint();
}

/** Decides whether an endpoint's host may be stored (the service's network policy). */
export type EndpointHostCheck = (hostname: string) => boolean;

/** Refuses an endpoint whose host is a literal address or localhost the policy does not allow; names are checked when called. */
export function checkEndpointReachable(endpoint: string | undefined, allowsHost: EndpointHostCheck): void {
  if (endpoint === undefined) return;
  const url = new URL(endpoint);
  if (!allowsHost(url.hostname)) throw TargetErrors.endpointNotAllowed();
}

export function checkTargetChange(change: Partial<TargetSpec>): void {
  if (change.name !== undefined) checkName(change.name);
  if (change.timeout !== undefined) checkTimeout(change.timeout);
  if (change.endpoint !== undefined) checkEndpoint(change.endpoint);
}

export function checkNewTarget(spec: Partial<TargetSpec>): asserts spec is TargetSpec {
  checkName(spec.name ?? '');
  if (spec.timeout === undefined) throw TargetErrors.noTimeout();
  checkTargetChange(spec);
  if (spec.endpoint === undefined) throw TargetErrors.badEndpoint();
}

/** An async target is fire and forget: it can never interrupt the call it reacts to. */
export const interruptsOnError = (targetType: TargetType, requested: boolean): boolean => targetType !== TargetType.Async && requested;
