/** gRPC status code names, indexed by code, as gRPC's own documentation and tools print them. */
const GRPC_CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** `NOT_FOUND` for 5; the number itself for a code gRPC does not define. */
export function grpcCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? String(code);
}

/** The codes Connect answers with a 5xx over HTTP: the server's fault, logged at error like a 5xx. */
const SERVER_FAULT_CODES: ReadonlySet<number> = new Set([2, 4, 12, 13, 14, 15]);

export function isServerFaultCode(code: number): boolean {
  return SERVER_FAULT_CODES.has(code);
}
