import type { IncomingMessage } from 'node:http';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { nodeResponse } from '../common/http/http-adapter';
import { acceptConsistencyToken, answeredConsistencyToken, CONSISTENCY_TOKEN_HEADER } from './consistency-token';

/** The consistency token on every HTTP route of the application (see README.md here). */
@Injectable()
export class ConsistencyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    acceptConsistencyToken(http.getRequest<IncomingMessage>().headers[CONSISTENCY_TOKEN_HEADER]);
    const response = nodeResponse(http.getResponse<Parameters<typeof nodeResponse>[0]>());
    return next.handle().pipe(
      tap(() => {
        const token = answeredConsistencyToken();
        if (token !== undefined && !response.headersSent) response.setHeader(CONSISTENCY_TOKEN_HEADER, token);
      }),
    );
  }
}
