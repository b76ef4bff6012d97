/**
 * QRadar CSV export: a header row of AQL column names, then one event per record (RFC 4180:
 * quoted commas, doubled quotes and newlines inside quotes), read by csv-rows.ts.
 *
 * CSV cannot tell NULL from '': an empty cell is taken as NULL, so the column is ABSENT from the
 * event (the same as a JSON null in qradar-json).
 */
import type { Readable } from 'node:stream';
import type { NormalizedEvent } from '../events/event.js';
import { readCsvRows } from './csv-rows.js';
import { hasQRadarColumns, qradarEvent } from './qradar-columns.js';
import type { ReadContext, SourceReader } from './reader.js';
import { parseTime } from './time.js';

const FORMAT = 'qradar-csv';

export const qradarCsvReader: SourceReader = {
  format: FORMAT,
  description: 'QRadar CSV export with a header row of AQL column names',
  sniff(head) {
    const header = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
    return header.includes(',') && hasQRadarColumns(header) ? 0.9 : 0;
  },
  read: readQRadarCsv,
};

function readQRadarCsv(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  return readCsvRows(input, ctx, FORMAT, (fields, source) => {
    const time = parseTime(fields.starttime);
    return time === undefined ? 'starttime is not epoch ms or yyyy-MM-dd HH:mm:ss' : qradarEvent(fields, time, source);
  });
}
