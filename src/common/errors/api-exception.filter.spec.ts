import { HttpException, HttpStatus, Logger, MethodNotAllowedException, NotFoundException } from '@nestjs/common';
import type { ArgumentsHost } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { EventStoreUnavailableError, WrongExpectedRevisionError } from '@app/event-store';
import { ConcurrencyConflictError } from '@app/eventsourcing';
import { QueryFailedError } from 'typeorm';
import { notFound } from './api-error';
import { ApiExceptionFilter } from './api-exception.filter';

interface Reply {
  status: number;
  body: { code: number; message: string; details: { id: string; message: string }[] };
}

/** Runs the filter against a recording adapter and returns what it answered. */
function answer(exception: unknown): Reply {
  let reply: Reply | undefined;
  const adapterHost = {
    httpAdapter: { isHeadersSent: () => false, reply: (_response: unknown, body: Reply['body'], status: number) => (reply = { status, body }) },
  } as unknown as HttpAdapterHost;
  const host = { switchToHttp: () => ({ getResponse: () => ({}), getRequest: () => ({ complete: true }) }) } as unknown as ArgumentsHost;
  new ApiExceptionFilter(adapterHost).catch(exception, host);
  if (!reply) throw new Error('no reply');
  return reply;
}

describe('ApiExceptionFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('answers an ApiError with its code, id and HTTP status', () => {
    expect(answer(notFound('COMMAND-suq2upd3rt', 'Execution not found'))).toEqual({
      status: 404,
      body: {
        code: 5,
        message: 'Execution not found (COMMAND-suq2upd3rt)',
        details: [{ '@type': 'type.googleapis.com/zitadel.v1.ErrorDetail', id: 'COMMAND-suq2upd3rt', message: 'Execution not found' }],
      },
    });
  });

  it.each<[string, number, number, unknown]>([
    ['an unknown route', 404, 5, new NotFoundException('Cannot GET /x')],
    ['a wrong method', 405, 12, new MethodNotAllowedException()],
    ['a body over the limit', 413, 8, new HttpException('request entity too large', HttpStatus.PAYLOAD_TOO_LARGE)],
    ['a lost concurrency race', 409, 10, new ConcurrencyConflictError('execution:i:x', 5, { cause: new WrongExpectedRevisionError('s', 1, 2) })],
    ['an unavailable event store', 503, 14, new EventStoreUnavailableError('connection refused')],
    ['a refused read-model connection', 503, 14, Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a read-model server shutting down', 503, 14, new QueryFailedError('SELECT 1', [], Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))],
  ])('maps %s to HTTP %i, code %i', (_case, status, code, exception) => {
    const reply = answer(exception);
    expect([reply.status, reply.body.code]).toEqual([status, code]);
    expect(reply.body.details).toHaveLength(1);
  });

  it('words the framework\'s other refusals itself, never passing their messages on', () => {
    expect(answer(new HttpException('unsupported charset "LATIN1"', HttpStatus.UNSUPPORTED_MEDIA_TYPE)).body.message).toBe('Unsupported Media Type (HTTP-0c7ymzt3gu)');
    expect(answer(new HttpException('Some library text', HttpStatus.BAD_REQUEST)).body.message).toBe('Bad Request (HTTP-0c7ymzt3gu)');
  });

  it('answers unexpected errors with a bare 500 code 13 that leaks nothing', () => {
    const reply = answer(new TypeError('secret internals at /srv/app.js:12'));
    expect(reply).toEqual({
      status: 500,
      body: { code: 13, message: 'Internal error (INTERNAL-0hxk4m7q2c)', details: [expect.objectContaining({ id: 'INTERNAL-0hxk4m7q2c', message: 'Internal error' })] },
    });
    expect(answer('a thrown string').status).toBe(500);
  });
});
