import type { PreparedEvent } from '../../contract/append-rules';
import { toEventData, toStoredEvent, type PositionedRecordedEvent } from './event-mapping';

const prepared: PreparedEvent = {
  id: '0b9d3c55-6c1f-4a7e-9a52-3f2d7c1f0e11',
  type: 'target.added',
  data: { name: 'hook', list: [1, { deep: null }] },
  metadata: { correlationId: 'corr-1', causationId: 'cause-1', actor: 'user-7', tenant: 'not-the-tenant', custom: { keep: true } },
  tenant: 'instance-1',
};

/** What the client library hands back for an event written with `toEventData(prepared)`. */
function recorded(overrides: Partial<PositionedRecordedEvent> = {}): PositionedRecordedEvent {
  const written = toEventData(prepared);
  return {
    streamId: 'target-1',
    id: written.id,
    isJson: true,
    revision: 3n,
    type: written.type,
    created: new Date('2024-05-01T10:00:00.123Z'),
    data: written.data,
    metadata: written.metadata,
    position: { commit: 5_000n, prepare: 5_000n },
    ...overrides,
  } as PositionedRecordedEvent;
}

describe('EventStoreDB event mapping', () => {
  it('writes JSON with the tenant, the caller metadata unchanged, and EventStoreDB correlation names', () => {
    expect(toEventData(prepared)).toEqual({
      id: prepared.id,
      contentType: 'application/json',
      type: 'target.added',
      data: prepared.data,
      metadata: {
        tenant: 'instance-1',
        metadata: prepared.metadata,
        $correlationId: 'corr-1',
        $causationId: 'cause-1',
      },
    });
  });

  it('reads back exactly what was appended, with revision, position and the server timestamp', () => {
    expect(toStoredEvent(recorded())).toEqual({
      id: prepared.id,
      stream: 'target-1',
      type: 'target.added',
      revision: 3,
      position: 10_000,
      data: prepared.data,
      // A `tenant` key inside the caller's metadata stays there and does not replace the tenant.
      metadata: prepared.metadata,
      tenant: 'instance-1',
      createdAt: new Date('2024-05-01T10:00:00.123Z'),
    });
  });

  it('leaves out correlation names the caller did not give', () => {
    const written = toEventData({ ...prepared, metadata: {} });
    expect(written.metadata).toEqual({ tenant: 'instance-1', metadata: {} });
  });

  it('keeps events written by other tools readable: raw metadata, no tenant, non-JSON data as {}', () => {
    const foreign = recorded({ metadata: { $correlationId: 'x', source: 'legacy' } });
    expect(toStoredEvent(foreign)).toMatchObject({ tenant: '', metadata: { $correlationId: 'x', source: 'legacy' } });
    const binary = recorded({ isJson: false, data: new Uint8Array([1, 2]), metadata: new Uint8Array([3]) } as Partial<PositionedRecordedEvent>);
    expect(toStoredEvent(binary)).toMatchObject({ data: {}, metadata: {}, tenant: '' });
  });
});
