/**
 * Groups record lines into events by `msg=audit(TIME:SERIAL)` (and node: two hosts' serials are
 * unrelated).
 *
 * An event ends at its EOE record, or once MAX_OPEN_EVENTS events with other serials have begun
 * after it: auditd writes an event's records together, so a later serial means the event is done,
 * but records of neighbouring events can interleave (several CPUs, syslog forwarders), so an event
 * stays open for records that arrive while fewer than MAX_OPEN_EVENTS later events are open. AUOMS
 * records are whole events on one line. Events leave in the order they began (a parent's execve
 * before its child's), and what is still open at end of input is flushed.
 *
 * A record that arrives after its event was closed is returned as late (the caller reports it):
 * keys of the last RECENTLY_CLOSED events are remembered for that.
 */
import type { AuditRecord } from './record.js';

export const MAX_OPEN_EVENTS = 32;
const RECENTLY_CLOSED = 1024;

export interface AuditEvent {
  id: string;
  node?: string;
  records: AuditRecord[];
  /** 1-based line of the event's first record. */
  line: number;
}

interface OpenEvent extends AuditEvent {
  done: boolean;
}

export class EventGrouper {
  private readonly open = new Map<string, OpenEvent>();
  private readonly closed = new Set<string>();

  /** Adds a record; returns the events it completed (possibly none) and whether it came too late. */
  add(record: AuditRecord, line: number): { events: AuditEvent[]; late: boolean } {
    const key = record.node === undefined ? record.id : `${record.node} ${record.id}`;
    let event = this.open.get(key);
    if (event === undefined) {
      if (this.closed.has(key)) return { events: [], late: true };
      if (record.type === 'EOE') return { events: [], late: false }; // an empty event: nothing to say
      event = { id: record.id, records: [], line, done: false };
      if (record.node !== undefined) event.node = record.node;
      this.open.set(key, event);
    }
    if (record.type === 'EOE') event.done = true;
    else event.records.push(record);
    if (record.type.startsWith('AUOMS_')) event.done = true;
    return { events: this.drain(false), late: false };
  }

  /** End of input: every open event, in order. */
  flush(): AuditEvent[] {
    return this.drain(true);
  }

  private drain(all: boolean): AuditEvent[] {
    const out: AuditEvent[] = [];
    for (const [key, event] of this.open) {
      if (!(all || event.done || this.open.size > MAX_OPEN_EVENTS)) break;
      this.open.delete(key);
      this.remember(key);
      out.push({ id: event.id, ...(event.node === undefined ? {} : { node: event.node }), records: event.records, line: event.line });
    }
    return out;
  }

  private remember(key: string): void {
    this.closed.add(key);
    if (this.closed.size > RECENTLY_CLOSED) this.closed.delete(this.closed.values().next().value!);
  }
}
