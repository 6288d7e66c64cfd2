import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventStore } from '@app/event-store';
import { AggregateRepository, handleCommand } from '@app/eventsourcing';
import { EVENT_STORE } from '../../persistence/persistence.tokens';
import { targetNameDescriptor, type TargetNameEvent, type TargetNameReservation } from '../domain/target-name.aggregate';

/** Reserves and releases target names per instance (see TargetNameReservation). */
@Injectable()
export class TargetNames {
  private readonly logger = new Logger(TargetNames.name);
  private readonly reservations: AggregateRepository<TargetNameReservation, TargetNameEvent>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.reservations = new AggregateRepository(store, targetNameDescriptor);
  }

  /** Throws AlreadyExists (INSTANCE-9axkz0jvzm) when another target holds the name. */
  async reserve(instanceId: string, name: string, targetId: string): Promise<void> {
    await handleCommand(this.reservations, instanceId, name, (reservation) => reservation.reserve(targetId));
  }

  /** Frees the name if `targetId` holds it. Failures are logged: a stale reservation only blocks that name. */
  async release(instanceId: string, name: string, targetId: string): Promise<void> {
    try {
      await handleCommand(this.reservations, instanceId, name, (reservation) => reservation.release(targetId));
    } catch (error) {
      this.logger.error(`Releasing target name ${JSON.stringify(name)} of ${targetId} failed: ${(error as Error).message}`);
    }
  }
}
