import { Module } from '@nestjs/common';
import { EventStreamController, OpenEventStreams } from './event-stream.controller';

/** The event log as Server-Sent Events for external subscribers. */
@Module({
  controllers: [EventStreamController],
  providers: [OpenEventStreams],
})
export class EventStreamModule {}
