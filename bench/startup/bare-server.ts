import { createServer } from 'node:http';

// The floor a service start is compared with: Node itself, one HTTP server, nothing loaded.
const server = createServer((request, response) => {
  response.writeHead(request.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
  response.end('{"status":"ok"}');
});
const port = Number(process.env.PORT ?? 8080);
server.listen(port, () => console.log(JSON.stringify({ time: new Date().toISOString(), msg: `bare server listening on port ${port}` })));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
