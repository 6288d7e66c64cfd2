import { EventSourcedAggregate, type DomainEvent } from './aggregate-root';

type LampEvent = DomainEvent<'lamp.installed', { room: string }> | DomainEvent<'lamp.switched', { on: boolean }>;

class Lamp extends EventSourcedAggregate<LampEvent> {
  room: string | undefined;
  on = false;
  switches = 0;

  constructor(id: string) {
    super(id);
  }

  install(room: string): void {
    this.raise({ type: 'lamp.installed', data: { room } });
  }

  switch(on: boolean): void {
    this.raise({ type: 'lamp.switched', data: { on } });
  }

  protected apply(event: LampEvent): void {
    if (event.type === 'lamp.installed') this.room = event.data.room;
    else {
      this.on = event.data.on;
      this.switches += 1;
    }
  }
}

describe('EventSourcedAggregate', () => {
  it('starts without history at version -1', () => {
    const lamp = new Lamp('lamp-1');
    expect(lamp.id).toBe('lamp-1');
    expect(lamp.version).toBe(-1);
    expect(lamp.nextVersion).toBe(-1);
    expect(lamp.pendingEvents).toEqual([]);
  });

  it('evolves state as soon as an event is raised and keeps it pending until committed', () => {
    const lamp = new Lamp('lamp-1');
    lamp.install('kitchen');
    lamp.switch(true);

    expect(lamp.room).toBe('kitchen');
    expect(lamp.on).toBe(true);
    expect(lamp.pendingEvents.map((event) => event.type)).toEqual(['lamp.installed', 'lamp.switched']);
    expect(lamp.version).toBe(-1);
    expect(lamp.nextVersion).toBe(1);

    lamp.markCommitted(1);
    expect(lamp.pendingEvents).toEqual([]);
    expect(lamp.version).toBe(1);
    expect(lamp.nextVersion).toBe(1);
  });

  it('rebuilds state from history without recording it as new events', () => {
    const lamp = new Lamp('lamp-1');
    lamp.loadFromHistory(
      [
        { type: 'lamp.installed', data: { room: 'hall' } },
        { type: 'lamp.switched', data: { on: true } },
        { type: 'lamp.switched', data: { on: false } },
      ],
      // Revisions of skipped (unknown) events still count: the last stored revision wins.
      5,
    );

    expect(lamp).toMatchObject({ room: 'hall', on: false, switches: 2 });
    expect(lamp.pendingEvents).toEqual([]);
    expect(lamp.version).toBe(5);

    lamp.switch(true);
    expect(lamp.nextVersion).toBe(6);
  });
});
