/** Who made a request, as established from a verified token. */
export interface Caller {
  /** The tenant: every read and write of the request is confined to this instance. */
  instanceId: string;
  /** The token's `sub`; recorded as the actor of the events the request causes. */
  subject: string;
  /** Permissions from the token's roles (through the role map) and its `permissions` claim. */
  permissions: ReadonlySet<string>;
}
