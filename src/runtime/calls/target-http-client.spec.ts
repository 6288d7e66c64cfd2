import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NetworkPolicy } from '../../common/network/network-policy';
import { TargetHttpClient } from './target-http-client';

describe('TargetHttpClient network safety', () => {
  let server: Server;
  let port: number;
  let requests = 0;
  const rebinding = (hostname: string, callback: (error: NodeJS.ErrnoException | null, addresses: { address: string; family: number }[]) => void): void =>
    callback(null, hostname === 'rebound.example' ? [{ address: '127.0.0.1', family: 4 }] : []);

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests += 1;
      request.resume();
      request.on('end', () => response.end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const options = { headers: {}, timeoutMs: 2_000 };

  it.each(['http://127.0.0.1:PORT/', 'http://[::1]:PORT/', 'http://169.254.169.254/latest/meta-data/', 'http://rebound.example:PORT/'])(
    'refuses %s without TARGET_ALLOWED_NETWORKS, sending nothing',
    async (endpoint) => {
      const client = new TargetHttpClient(new NetworkPolicy(), { resolve: rebinding });
      const before = requests;
      await expect(client.post(endpoint.replace('PORT', String(port)), '{}', options)).rejects.toThrow(/TARGET_ALLOWED_NETWORKS/);
      expect(requests).toBe(before);
      await client.close();
    },
  );

  it('calls loopback targets when allowed, also through a name', async () => {
    const client = new TargetHttpClient(new NetworkPolicy(['127.0.0.0/8']), { resolve: rebinding });
    expect(await client.post(`http://127.0.0.1:${port}/`, '{}', options)).toEqual({ status: 200, body: '{}' });
    expect(await client.post(`http://rebound.example:${port}/`, '{}', options)).toEqual({ status: 200, body: '{}' });
    await client.close();
  });

  it('resolves localhost through the system and still refuses it', async () => {
    const client = new TargetHttpClient(new NetworkPolicy());
    await expect(client.post(`http://localhost:${port}/`, '{}', options)).rejects.toThrow(/TARGET_ALLOWED_NETWORKS/);
    await client.close();
  });
});
