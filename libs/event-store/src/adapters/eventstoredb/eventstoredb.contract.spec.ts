import { randomUUID } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { describeEventStoreContract, type ContractFeatures, type ContractStoreHandle } from '../../contract/event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const url = process.env.TEST_EVENTSTORE_URL;

if (url === undefined || url === '') {
  // No EventStoreDB server can run on the machines that build this project (no Docker engine,
  // no package). Point TEST_EVENTSTORE_URL at one (for example `docker compose up eventstoredb`
  // and `TEST_EVENTSTORE_URL=esdb://localhost:2113?tls=false`) to run the contract suite.
  const reason = 'TEST_EVENTSTORE_URL not set: no EventStoreDB server on this machine';
  describe('EventStore contract: eventstoredb', () => {
    it.skip(`is not run — ${reason}`, () => undefined);
  });
  // Only verbose runs list skipped tests; say why in every run.
  console.info(`EventStore contract: eventstoredb skipped — ${reason}`);
} else {
  const proxyable = singleNodeInsecure(url);
  const features: ContractFeatures = {
    heldTransactions: 'EventStoreDB writes each append atomically at the end of its log; there is no transaction to hold open',
    storeWideEventIds: 'EventStoreDB deduplicates event ids per stream only; the same id in another stream is stored',
    sharedAppendTimestamp: 'EventStoreDB stamps each event of an append with its own server time',
    droppedConnections: proxyable ? true : 'connections are cut through a local TCP proxy, which needs a single-node esdb:// URL with tls=false',
  };
  describeEventStoreContract('eventstoredb', () => openContractStore(url), features);
}

describe('EventStoreDB contract support', () => {
  it('proxies only single-node URLs without TLS (the others cannot be redirected to a local port)', () => {
    expect(singleNodeInsecure('esdb://localhost:2113?tls=false')).toEqual({ host: 'localhost', port: 2113 });
    expect(singleNodeInsecure('esdb://admin:changeit@10.0.0.5:2113/?keepAliveTimeout=10000&tls=false')).toEqual({ host: '10.0.0.5', port: 2113 });
    expect(singleNodeInsecure('esdb://localhost:2113?tls=true')).toBeUndefined();
    expect(singleNodeInsecure('esdb://localhost:2113')).toBeUndefined();
    expect(singleNodeInsecure('esdb://a:2113,b:2113?tls=false')).toBeUndefined();
    expect(singleNodeInsecure('esdb+discover://cluster.local:2113?tls=false')).toBeUndefined();
  });

  it('forwards bytes both ways and cuts every connection on demand', async () => {
    const echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoPort = (echo.address() as { port: number }).port;
    const proxy = await startProxy({ host: '127.0.0.1', port: echoPort });
    try {
      const client = connect(proxy.port, '127.0.0.1');
      client.on('error', () => undefined);
      const echoed = new Promise<string>((resolve) => client.once('data', (chunk) => resolve(chunk.toString())));
      client.write('ping');
      expect(await echoed).toBe('ping');
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      proxy.dropAll();
      await closed;
    } finally {
      await proxy.close();
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });
});

/**
 * A store over a fresh, empty part of the server: every call gets its own stream prefix, so
 * runs and test files never see each other's events. With a single-node insecure URL the
 * store talks through a TCP proxy that can cut its connections (the other store, like another
 * process, connects directly).
 */
async function openContractStore(serverUrl: string): Promise<ContractStoreHandle> {
  const streamPrefix = `contract-${randomUUID().slice(0, 8)}.`;
  const target = singleNodeInsecure(serverUrl);
  const proxy = target ? await startProxy(target) : undefined;
  const open = async (connectionString: string): Promise<EventStoreDbEventStore> => {
    const store = new EventStoreDbEventStore({ connectionString, streamPrefix, subscriptionRetry: { minDelayMs: 50, maxDelayMs: 500 } });
    await store.init();
    return store;
  };
  const store = await open(proxy ? serverUrl.replace(/^esdb:\/\/[^/?]+/, `esdb://127.0.0.1:${proxy.port}`) : serverUrl);
  return {
    store,
    openAnother: () => open(serverUrl),
    ...(proxy && { dropConnections: async () => proxy.dropAll() }),
    cleanup: async () => {
      await store.close();
      await proxy?.close();
    },
  };
}

function singleNodeInsecure(serverUrl: string): { host: string; port: number } | undefined {
  const match = /^esdb:\/\/(?:[^@/]*@)?([^:/?,]+):(\d+)\/?\?(.*)$/i.exec(serverUrl);
  if (!match || !/(^|&)tls=false(&|$)/i.test(match[3])) return undefined;
  return { host: match[1], port: Number(match[2]) };
}

async function startProxy(target: { host: string; port: number }) {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((incoming) => {
    const outgoing = connect(target.port, target.host);
    const pair: [Socket, Socket] = [incoming, outgoing];
    pairs.add(pair);
    for (const socket of pair) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        pairs.delete(pair);
        incoming.destroy();
        outgoing.destroy();
      });
    }
    incoming.pipe(outgoing);
    outgoing.pipe(incoming);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The proxy has no port');
  const dropAll = (): void => {
    for (const [incoming, outgoing] of pairs) {
      incoming.destroy();
      outgoing.destroy();
    }
  };
  return {
    port: address.port,
    dropAll,
    close: async () => {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
