import { createEventStore, type EventFilter, type EventStore, type StoredEvent } from '@app/event-store';
import { ApiClient, embeddedToken } from '../../../bench/support/api-client';
import { ServiceProcess, type ServiceStartOptions } from '../../../bench/support/service-process';
import { ServiceStorage, type StoreKind } from '../../../bench/support/storage';

/**
 * The built service (`dist/src/main.js`) as a child process on fresh storage of its own, as it
 * runs in production: faults (SIGKILL, a lost database) hit a real process. `restart()` starts
 * a new process on the same storage.
 */
export class ServiceUnderTest {
  private logStore: EventStore | undefined;

  private constructor(
    readonly storage: ServiceStorage,
    private current: ServiceProcess,
    private readonly options: Omit<ServiceStartOptions, 'storage'>,
  ) {}

  static async start(kind: StoreKind, options: Omit<ServiceStartOptions, 'storage'> = {}): Promise<ServiceUnderTest> {
    const storage = await ServiceStorage.create(kind);
    try {
      return new ServiceUnderTest(storage, await ServiceProcess.start({ logLevel: 'warn', ...options, storage }), options);
    } catch (error) {
      await storage.drop();
      throw error;
    }
  }

  get process(): ServiceProcess {
    return this.current;
  }

  get baseUrl(): string {
    return this.current.url('');
  }

  /** A caller of instance `instanceId` with every permission. */
  async client(instanceId: string): Promise<ApiClient> {
    return new ApiClient(this.baseUrl, instanceId, await embeddedToken(this.storage.dataDir, instanceId));
  }

  /** Starts a new service process on the same storage (the previous one must have exited). */
  async restart(): Promise<void> {
    if (this.current.running) throw new Error('The service is still running');
    this.current = await ServiceProcess.start({ logLevel: 'warn', ...this.options, storage: this.storage });
  }

  /** The service's event log, opened from the test (a second reader beside the service). */
  async log(): Promise<EventStore> {
    this.logStore ??=
      this.storage.kind === 'sqlite'
        ? await createEventStore({ kind: 'sqlite', file: this.storage.eventsFile })
        : await createEventStore({ kind: 'postgres', connectionString: this.storage.serverUrl!, schema: this.storage.schema! });
    return this.logStore;
  }

  /** Every event matching `filter` that the log shows now. */
  async events(filter: EventFilter = {}): Promise<StoredEvent[]> {
    const store = await this.log();
    const events: StoredEvent[] = [];
    for (let fromPosition = 0; ; ) {
      const page = await store.readAll({ fromPosition, maxCount: 5_000, filter });
      events.push(...page.events);
      if (page.isEnd) return events;
      fromPosition = page.nextPosition;
    }
  }

  /**
   * {@link events} once the log has stopped changing: PostgreSQL only shows an append when no
   * older transaction on the server is still open, so a read right after a write can miss it.
   */
  async settledEvents(filter: EventFilter = {}): Promise<StoredEvent[]> {
    let previous = await this.events(filter);
    for (let stable = 0, rounds = 0; stable < 3 && rounds < 100; rounds += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const current = await this.events(filter);
      stable = current.length === previous.length ? stable + 1 : 0;
      previous = current;
    }
    return previous;
  }

  async close(): Promise<void> {
    await this.current.stop();
    await this.logStore?.close();
    await this.storage.drop();
  }
}
