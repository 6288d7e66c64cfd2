// A host system for the "Run your actions" walk-through: a Connect server (gRPC, gRPC-web and
// Connect's JSON, which curl speaks) serving zitadel.session.v2.SessionService/ListSessions,
// whose calls run their actions through the service: the interceptor is the only addition.
//
//   ACTIONS_URL=http://localhost:8080 ACTIONS_TOKEN=<token with ACTIONS_RUNNER> node examples/actions-host/host.mjs   (HOST_PORT, default 8070)
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { toJson } from '@bufbuild/protobuf';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { ListSessionsRequestSchema, SessionService } from '@zitadel/proto/zitadel/session/v2/session_service_pb.js';

// The integration as `npm run build` (or `npm start`) compiles it.
const require = createRequire(import.meta.url);
const { ActionsRuntimeClient } = require('../../dist/src/runtime/host/runtime-client.js');
const { actionsInterceptor } = require('../../dist/src/runtime/host/connect-interceptor.js');

const port = Number(process.env.HOST_PORT ?? 8070);
const actions = new ActionsRuntimeClient({ baseUrl: process.env.ACTIONS_URL ?? 'http://localhost:8080', token: process.env.ACTIONS_TOKEN ?? '' });

const routes = (router) =>
  router.service(SessionService, {
    listSessions(request) {
      console.log(`host: ListSessions handler got ${JSON.stringify(toJson(ListSessionsRequestSchema, request))}`);
      return { sessions: [] };
    },
  });

createServer(connectNodeAdapter({ routes, interceptors: [actionsInterceptor(actions)] })).listen(port, '127.0.0.1');
