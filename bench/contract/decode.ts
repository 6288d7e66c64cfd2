/**
 * CPU per request of the REST decoding path alone (protobuf JSON mapping, path parameters,
 * buf.validate rules and text rules), for typical bodies of the write and list RPCs. CPU time
 * of one thread, so the figure barely depends on what else the machine runs.
 *
 *   node scripts/build.mjs --quiet && node dist/bench/contract/decode.js
 */
import type { DescMethod } from '@bufbuild/protobuf';
import { decodeRestRequest, type RestRequestParts } from '../../src/api/rest/rest-decoder';
import { ActionService } from '../../src/grpc/gen/zitadel/action/v3alpha/action_service_pb';

const ROUNDS = 5;
const CALLS = 20_000;

const cases: [string, DescMethod, RestRequestParts][] = [
  [
    'SetExecution',
    ActionService.method.setExecution,
    { body: { condition: { request: { method: '/zitadel.session.v2.SessionService/ListSessions' } }, targets: [{ target: '218041719477776989' }] } },
  ],
  [
    'CreateTarget',
    ActionService.method.createTarget,
    { body: { name: 'hook', restWebhook: { interruptOnError: true }, timeout: '10s', endpoint: 'https://example.com/hook' } },
  ],
  ['ListTargets', ActionService.method.listTargets, { body: { query: { offset: '0', limit: 100, asc: true }, queries: [{ targetNameQuery: { targetName: 'hook' } }] } }],
];

function microsecondsPerCall(method: DescMethod, request: RestRequestParts): number {
  const started = process.cpuUsage();
  for (let call = 0; call < CALLS; call += 1) decodeRestRequest(method, request);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / CALLS;
}

for (const [name, method, request] of cases) {
  microsecondsPerCall(method, request); // warm-up: compiles the validation plan and the JIT
  const rounds = Array.from({ length: ROUNDS }, () => microsecondsPerCall(method, request)).sort((a, b) => a - b);
  console.log(`${name}: median ${rounds[Math.floor(ROUNDS / 2)]!.toFixed(1)} µs CPU per decode (rounds ${rounds.map((value) => value.toFixed(1)).join(', ')})`);
}
