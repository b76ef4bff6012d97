/**
 * AUOMS records inside JSON rows (Azure Log Analytics `Syslog` table, as OTRF ships them):
 * `SyslogMessage` holds `type=AUOMS_EXECVE audit(…): … exe=… cmdline=… ppid=…` on one line.
 * The otrf reader calls one mapper per input (`createAuomsRowMapper`) on each row; rows that are not
 * AUOMS give undefined and stay the otrf reader's. An AUOMS row becomes the same event the auditd
 * reader makes of the line, with a process table per input joining children to parents on ppid;
 * the row's own columns are kept where the record has no field of that name, and the host is
 * `node=`, else the row's `Computer`/`HostName`.
 */
import { type Fields, type NormalizedEvent, type Provenance, hasField, setField } from '../../events/event.js';
import { normalizeEvent } from './normalize.js';
import { ProcessTable } from './process-table.js';
import { parseRecord } from './record.js';

const AUOMS_PREFIX = 'type=AUOMS_';

/** A mapper with its own process table: undefined for rows that are not AUOMS, a string for a bad one. */
export function createAuomsRowMapper(): (row: Fields, source: Provenance) => NormalizedEvent | string | undefined {
  const table = new ProcessTable();
  return (row, source) => {
    const message = row.SyslogMessage;
    if (typeof message !== 'string' || !message.startsWith(AUOMS_PREFIX)) return undefined;
    const record = parseRecord(message);
    if (typeof record === 'string') return `AUOMS SyslogMessage: ${record}`;
    const host = record.node ?? stringField(row, 'Computer') ?? stringField(row, 'HostName');
    const audit = { id: record.id, records: [record], line: source.line ?? 0, ...(host === undefined ? {} : { node: host }) };
    const { event, problem } = normalizeEvent(audit, table, source);
    if (problem !== undefined) return problem;
    for (const [key, value] of Object.entries(row)) if (!hasField(event.fields, key)) setField(event.fields, key, value);
    return event;
  };
}

function stringField(row: Fields, key: string): string | undefined {
  const value = row[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
