// A target for the "Run your actions" walk-through: checks the ZITADEL-Signature of every call
// with node:crypto, prints what it got, and (as a restCall) answers the request with its limit
// capped at 10.
//
//   SIGNING_KEY=<the target's signingKey> node examples/actions-host/webhook.mjs   (WEBHOOK_PORT, default 8090)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const signingKey = process.env.SIGNING_KEY;
if (!signingKey) {
  console.error('webhook: set SIGNING_KEY to the signingKey the target was created with');
  process.exit(1);
}
const port = Number(process.env.WEBHOOK_PORT ?? 8090);
const MAX_AGE_SECONDS = 300;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>`, recent and matching. */
function signatureIsValid(header, body) {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const [, timestamp, mac] = match;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > MAX_AGE_SECONDS) return false;
  const expected = createHmac('sha256', signingKey).update(`${timestamp}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(mac, 'hex'));
}

createServer((request, response) => {
  if (request.method !== 'POST') {
    response.writeHead(405).end();
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (!signatureIsValid(request.headers['zitadel-signature'], body)) {
      console.log('webhook: ZITADEL-Signature invalid, refused');
      response.writeHead(400).end();
      return;
    }
    const call = JSON.parse(body);
    const method = call.fullMethod.split('/').pop();
    const query = call.request.query ?? {};
    const limit = Math.min(Number(query.limit ?? 10), 10);
    console.log(`webhook: ZITADEL-Signature verified; ${method} request ${JSON.stringify(call.request)} -> limit ${limit}`);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ...call.request, query: { ...query, limit } }));
  });
}).listen(port, '127.0.0.1');
