import type { Readable } from 'node:stream';
import type { NormalizedEvent } from '../../events/event.js';
import { BATCH_SIZE } from '../event-batches.js';
import { isBlank, OVERSIZED_LINE, splitLines } from '../lines.js';
import type { BadRecord, ReadContext } from '../reader.js';
import { EventGrouper, MAX_OPEN_EVENTS, type AuditEvent } from './group.js';
import { normalizeEvent } from './normalize.js';
import { ProcessTable } from './process-table.js';
import type { AuditRecord } from './record.js';

/**
 * Audit records of one input → its events, in the order they complete: records grouped by event
 * (group.ts), each event normalized with the input's process table (parent fields from earlier
 * events). Shared by the readers whose inputs hold audit records (auditd.ts, journald.ts), through readAuditLines.
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

/** What a reader does with one non-blank line: adds its records to `audit`, or emits an event of its own; the reason when the line is a bad record. */
export type AuditLineReader = (text: string, line: number, audit: AuditAssembler, emit: (event: NormalizedEvent) => void) => string | undefined;

/** The events of an input that holds audit records one per line (audit.log, a journal export), in batches. */
export async function* readAuditLines(input: Readable, ctx: ReadContext, format: string, readLine: AuditLineReader): AsyncGenerator<NormalizedEvent[]> {
  const file = ctx.file;
  let batch: NormalizedEvent[] = [];
  const emit = (event: NormalizedEvent) => void batch.push(event);
  const audit = new AuditAssembler(file, format, ctx.bad, emit);
  const oversized = (line: number) => ctx.bad({ file, format, line, reason: OVERSIZED_LINE });
  for await (const { lines, firstLine } of splitLines(input, oversized)) {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (isBlank(text)) continue;
      const line = firstLine + i;
      const problem = readLine(text, line, audit, emit);
      if (problem !== undefined) ctx.bad({ file, format, line, reason: problem });
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
  }
  audit.flush();
  if (batch.length > 0) yield batch;
}
