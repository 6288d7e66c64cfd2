import { Injectable } from '@nestjs/common';
import { invalidArgument } from '../../common/errors/api-error';
import { TargetCaller } from '../calls/target-caller';
import { functionCallBody, requestCallBody, type RunContext } from '../domain/call-bodies';
import { ExecutionIndex } from '../index/execution-index';
import { runChain } from './run-chain';

/** What the targets of a function run gathered, in target order. */
export interface FunctionResult {
  setUserMetadata: unknown[];
  appendClaims: unknown[];
  appendLogClaims: unknown[];
}

const GATHERED = ['setUserMetadata', 'appendClaims', 'appendLogClaims'] as const;

/** Runs the executions of requests, responses and functions (spec §1-3). */
@Injectable()
export class RunService {
  constructor(
    private readonly index: ExecutionIndex,
    private readonly caller: TargetCaller,
  ) {}

  /** The request after every restCall replaced it; unchanged when no execution applies. */
  async runRequest(context: RunContext, request: unknown): Promise<unknown> {
    checkFullMethod(context.fullMethod);
    const targets = await this.index.resolve(context.instanceId, { kind: 'request', fullMethod: context.fullMethod });
    let current = request;
    await runChain(this.caller, targets, () => requestCallBody(context, current), (answer) => (current = answer));
    return current;
  }

  /** The response after every restCall replaced it. */
  async runResponse(context: RunContext, request: unknown, response: unknown): Promise<unknown> {
    checkFullMethod(context.fullMethod);
    const targets = await this.index.resolve(context.instanceId, { kind: 'response', fullMethod: context.fullMethod });
    let current = response;
    await runChain(this.caller, targets, () => requestCallBody(context, request, current), (answer) => (current = answer));
    return current;
  }

  /** Every target gets the same body; the lists their restCall answers carry are gathered in order. */
  async runFunction(instanceId: string, name: string, payload: Record<string, unknown>): Promise<FunctionResult> {
    if (name.trim() === '') throw invalidArgument('RUNTIME-f7n2b8k1qz', 'A function run needs the function name');
    const targets = await this.index.resolve(instanceId, { kind: 'function', name });
    const result: FunctionResult = { setUserMetadata: [], appendClaims: [], appendLogClaims: [] };
    await runChain(
      this.caller,
      targets,
      () => functionCallBody(name, payload),
      (answer) => {
        if (typeof answer !== 'object' || answer === null) return;
        for (const field of GATHERED) {
          const values = (answer as Record<string, unknown>)[field];
          if (Array.isArray(values)) result[field].push(...(values as unknown[]));
        }
      },
    );
    return result;
  }
}

function checkFullMethod(fullMethod: string): void {
  if (!/^\/[^/]+\/[^/]+$/.test(fullMethod)) {
    throw invalidArgument('RUNTIME-m4x8p2w6rd', 'fullMethod must be a full method name such as "/zitadel.session.v2.SessionService/ListSessions"');
  }
}
