import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/** Whether the service is shutting down: from then on answers close their connections. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private shuttingDown = false;

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Called by main.ts on SIGTERM/SIGINT, before the application closes. */
  begin(): void {
    this.shuttingDown = true;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
