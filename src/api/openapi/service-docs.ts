import type { DescService, JsonObject } from '@bufbuild/protobuf';
import type { Permission } from '../../auth/permissions';

/** What the REST documentation says of one RPC beyond its proto (which gives path, verb and shapes). */
export interface RpcDoc {
  summary: string;
  /** Groups operations in the UI. */
  tag: string;
  /** HTTP status of success; 200 unless stated. */
  status?: number;
  /** Errors beyond those every call can answer, by HTTP status. */
  errors?: Record<string, string>;
  /** A request body (protobuf JSON) the service accepts: the "Try it out" value. */
  example?: JsonObject;
}

/** One API version's service as the REST layer serves and documents it. */
export interface ServiceDocs<S extends DescService = DescService> {
  service: S;
  /** The permission each RPC requires (the same table the RPC transports use). */
  /** Undefined for an RPC any valid token may call. */
  permissions: Readonly<Record<keyof S['method'], Permission | undefined>>;
  rpcs: Readonly<Record<keyof S['method'], RpcDoc>>;
}
