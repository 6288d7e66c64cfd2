import { Injectable } from '@nestjs/common';
import { invalidArgument } from '../../common/errors/api-error';
import { TargetCaller } from '../calls/target-caller';
import { functionCallBody, requestCallBody, type RunContext } from '../domain/call-bodies';
import { ExecutionIndex } from '../index/execution-index';
import { runChain } from './run-chain';

/** A request or response run: where it runs, and the rest of what the host said, built only when a target is called. */
export interface MethodRun {
  instanceId: string;
  fullMethod: string;
  context: () => RunContext;
}

/** The value a restCall's answer put in place of the run's input. */
export interface Replaced {
  value: unknown;
}

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

  /**
   * The request as the last restCall replaced it; undefined when none did (no execution, no
   * restCall, or only empty answers), so the caller answers its own input as it came. The
   * context and the request are read only when there is a target to call.
   */
  async runRequest(run: MethodRun, request: () => unknown): Promise<Replaced | undefined> {
    checkFullMethod(run.fullMethod);
    const targets = await this.index.resolve(run.instanceId, { kind: 'request', fullMethod: run.fullMethod });
    if (targets.length === 0) return undefined;
    const context = run.context();
    let current = request();
    let replaced: Replaced | undefined;
    await runChain(this.caller, targets, () => requestCallBody(context, current), (answer) => (replaced = { value: (current = answer) }));
    return replaced;
  }

  /** The response as the last restCall replaced it; undefined when none did, as for requests. */
  async runResponse(run: MethodRun, request: () => unknown, response: () => unknown): Promise<Replaced | undefined> {
    checkFullMethod(run.fullMethod);
    const targets = await this.index.resolve(run.instanceId, { kind: 'response', fullMethod: run.fullMethod });
    if (targets.length === 0) return undefined;
    const context = run.context();
    const sentRequest = request();
    let current = response();
    let replaced: Replaced | undefined;
    await runChain(this.caller, targets, () => requestCallBody(context, sentRequest, current), (answer) => (replaced = { value: (current = answer) }));
    return replaced;
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
