import { HttpErrorId } from '../../common/errors/http-error-ids';

/** What is read and written of a request and its answer, on HTTP/1.1 and HTTP/2 alike. */
interface Request {
  url?: string;
  headers: { 'content-type'?: string };
}
interface Response {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(): unknown;
}

/**
 * Answers a gRPC or gRPC-web call of a method this service does not serve with UNIMPLEMENTED
 * (grpc-status 12), as a trailers-only answer its client reads as such, naming the method and
 * where the served ones are listed. Returns false, answering nothing, for any other request
 * (REST routes, Connect, browsers), which keeps its usual 404.
 */
export function answerUnknownGrpcMethod(request: Request, response: Response): boolean {
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  const protocol = contentType.startsWith('application/grpc-web') ? 'application/grpc-web+proto' : contentType.startsWith('application/grpc') ? 'application/grpc' : undefined;
  if (protocol === undefined) return false;
  const method = (request.url ?? '').split('?', 1)[0];
  const message = `Method ${method} is not served: the gRPC port lists the services by server reflection (${HttpErrorId.unknownMethod})`;
  response.writeHead(200, { 'content-type': protocol, 'grpc-status': '12', 'grpc-message': encodeURIComponent(message) });
  response.end();
  return true;
}
