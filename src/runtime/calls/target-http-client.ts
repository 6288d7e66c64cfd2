import { Agent, request } from 'undici';
import { guardedConnector, type Resolver } from '../safety/guarded-connector';
import type { NetworkPolicy } from '../../common/network/network-policy';

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface PostOptions {
  headers: Record<string, string>;
  /** Bounds the whole call: connecting, sending, and reading the answer to its end. */
  timeoutMs: number;
}

/** Answers larger than this fail the call: a target answers a request or response, not a download. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export class AnswerTooLargeError extends Error {
  constructor() {
    super(`The target answered more than ${MAX_ANSWER_BYTES} bytes`);
  }
}

/**
 * POSTs JSON to targets over one undici Agent: a keep-alive connection pool per origin, the
 * network policy on every connection, and no redirects followed (a 3xx is just an answer).
 */
export class TargetHttpClient {
  private readonly agent: Agent;

  constructor(policy: NetworkPolicy, options: { connectionsPerOrigin?: number; connectTimeoutMs?: number; resolve?: Resolver } = {}) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? 64,
      connect: guardedConnector(policy, options.connectTimeoutMs ?? 10_000, options.resolve),
      keepAliveTimeout: 4_000,
    });
  }

  async post(url: string, body: string, options: PostOptions): Promise<HttpAnswer> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new CallTimeoutError(options.timeoutMs)), options.timeoutMs);
    try {
      const answer = await request(url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body,
        signal: abort.signal,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      let size = 0;
      const chunks: Buffer[] = [];
      for await (const chunk of answer.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_ANSWER_BYTES) {
          answer.body.destroy();
          throw new AnswerTooLargeError();
        }
        chunks.push(chunk as Buffer);
      }
      return { status: answer.statusCode, body: Buffer.concat(chunks).toString('utf8') };
    } catch (error) {
      if (abort.signal.aborted) throw abort.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export class CallTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`The target did not answer within ${timeoutMs} ms`);
    this.name = 'CallTimeoutError';
  }
}
