import type { NormalizedEvent } from '../../events/event.js';
import type { BadRecord } from '../reader.js';
import { EventGrouper, MAX_OPEN_EVENTS, type AuditEvent } from './group.js';
import { normalizeEvent } from './normalize.js';
import { ProcessTable } from './process-table.js';
import type { AuditRecord } from './record.js';

/**
 * Audit records of one input → its events, in the order they complete: records grouped by event
 * (group.ts), each event normalized with the input's process table (parent fields from earlier
 * events). Shared by the readers whose inputs hold audit records (auditd.ts, journald.ts).
 */
export class AuditAssembler {
  private readonly table = new ProcessTable();
  private readonly grouper = new EventGrouper();

  constructor(
    private readonly file: string,
    private readonly format: string,
    private readonly bad: (b: BadRecord) => void,
    private readonly emit: (event: NormalizedEvent) => void,
  ) {}

  /** A record of the input's `line`. */
  add(record: AuditRecord, line: number): void {
    const { events, late } = this.grouper.add(record, line);
    if (late) this.bad({ file: this.file, format: this.format, line, reason: `${record.type} record of audit(${record.id}) arrived after its event was closed (${MAX_OPEN_EVENTS} later events had begun)` });
    this.normalize(events);
  }

  /** Ends the events still open (at the input's end, or at a separator that says they are whole). */
  flush(): void {
    this.normalize(this.grouper.flush());
  }

  private normalize(events: AuditEvent[]): void {
    for (const audit of events) {
      const { event, problem } = normalizeEvent(audit, this.table, { file: this.file, format: this.format, line: audit.line });
      if (problem !== undefined) this.bad({ file: this.file, format: this.format, line: audit.line, reason: problem });
      this.emit(event);
    }
  }
}
