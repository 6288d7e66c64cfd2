import { MAX_EVENTS_PER_APPEND, type PreparedAppend } from '../../contract/append-rules';
import type { AppendResult, ExpectedRevision } from '../../types';

/** An append waiting for its group commit. */
export interface QueuedAppend {
  stream: string;
  prepared: PreparedAppend;
  expected: ExpectedRevision;
  /** The events as the statement reads them (already checked for U+0000). */
  eventsJson: string;
  /** Index of its first event within its group: positions are numbered from it. */
  first: number;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

interface Group {
  appends: QueuedAppend[];
  streams: Set<string>;
  ids: Set<string>;
  events: number;
}

/**
 * Appends waiting to be sent, in groups the group-commit statement can judge one by one: at
 * most one append per stream (the statement reads each stream's revision once) and no id in
 * two appends, so that whether an append's ids are stored can be read before the insert. A
 * group holds at most MAX_EVENTS_PER_APPEND events, the range of positions one transaction
 * numbers. An append that does not fit starts the next group; order is kept.
 */
export class AppendGroups {
  private readonly pending: Group[] = [];

  get size(): number {
    return this.pending.length;
  }

  add(append: Omit<QueuedAppend, 'first'>): void {
    const count = append.prepared.events.length;
    const last = this.pending[this.pending.length - 1];
    if (last && fits(last, append, count)) {
      last.appends.push({ ...append, first: last.events });
      last.streams.add(append.stream);
      if (append.prepared.someIdsSupplied) for (const event of append.prepared.events) last.ids.add(event.id);
      last.events += count;
      return;
    }
    this.pending.push({
      appends: [{ ...append, first: 0 }],
      streams: new Set([append.stream]),
      ids: new Set(append.prepared.someIdsSupplied ? append.prepared.events.map((event) => event.id) : []),
      events: count,
    });
  }

  /** The oldest group, removed from the queue. */
  take(): QueuedAppend[] | undefined {
    return this.pending.shift()?.appends;
  }
}

function fits(group: Group, append: Omit<QueuedAppend, 'first'>, count: number): boolean {
  if (group.events + count > MAX_EVENTS_PER_APPEND || group.streams.has(append.stream)) return false;
  // Generated ids are fresh; only ids the caller chose can repeat one of the group's.
  return !append.prepared.someIdsSupplied || append.prepared.events.every((event) => !group.ids.has(event.id));
}
