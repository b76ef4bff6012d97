/**
 * The offline AQL runner: load QRadar export events (qradar-json / qradar-csv readers, so
 * NULL handling is the readers': JSON null and empty CSV cells are NULL) into an in-memory
 * DuckDB table, translate the AQL and run it. Two passes over the input: the first collects
 * the column names, the second appends rows. The database is a temporary file, so DuckDB can
 * spill to disk and memory stays bounded as exports grow; it is removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { FieldValue } from '../events/event.js';
import { readInputs, type BadRecord, type InputReports, type UnreadableInput } from '../sources/open.js';
import { AqlError, parseAql } from './parse.js';
import { translate } from './translate.js';

export interface AqlResult {
  columns: string[];
  rows: (string | null)[][];
  sql: string;
  events: number;
}

const QRADAR_FORMATS = new Set(['qradar-json', 'qradar-csv']);

async function* qradarEvents(paths: string[], inputFormat: string | undefined, reports: InputReports) {
  for await (const batch of readInputs(paths, { inputFormat, ...reports })) {
    for (const e of batch.events) {
      if (!QRADAR_FORMATS.has(e.source.format)) {
        reports.onBad({ file: e.source.file, format: e.source.format, reason: `not a QRadar export (read as ${e.source.format}); aql run needs qradar-json or qradar-csv` } as BadRecord);
        return;
      }
      yield e;
    }
  }
}

function text(v: FieldValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Loads the events; `reports` hears of bad records and unreadable inputs once (the second pass). */
export async function loadEvents(db: DuckDBConnection, paths: string[], inputFormat: string | undefined, reports: InputReports): Promise<{ columns: Set<string>; events: number }> {
  // DuckDB identifiers are case-insensitive: of names equal but for case (the reader's Sigma
  // aliases such as SourceIp next to sourceip), the first one seen is the column.
  const byLower = new Map<string, string>();
  const silent: InputReports = { onBad: () => {}, onUnreadable: () => {}, onSkip: () => {} };
  for await (const e of qradarEvents(paths, inputFormat, silent))
    for (const k in e.fields) if (k !== 'starttime' && !byLower.has(k.toLowerCase())) byLower.set(k.toLowerCase(), k);
  const cols = [...byLower.values()].sort();
  const columns = new Set(cols);
  await db.run(`CREATE TABLE events ("__ord" BIGINT, starttime BIGINT${cols.map((c) => `, "${c.replace(/"/g, '""')}" VARCHAR`).join('')})`);
  const app = await db.createAppender('events');
  let n = 0;
  for await (const e of qradarEvents(paths, inputFormat, reports)) {
    app.appendBigInt(BigInt(n++));
    if (e.time === undefined) app.appendNull();
    else app.appendBigInt(BigInt(e.time));
    for (const c of cols) {
      const v = text(e.fields[c]);
      if (v === null) app.appendNull();
      else app.appendVarchar(v);
    }
    app.endRow();
  }
  app.closeSync();
  return { columns, events: n };
}

function cell(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return String(v);
}

export interface AqlRunOptions {
  now: number;
  inputFormat?: string;
  onBad: (b: BadRecord) => void;
  /**
   * An --events input that cannot be read at all (missing, EACCES, .gz, unrecognized), once;
   * without it such inputs go to onBad. The CLI should exit 2 after printing the rows (issue 23).
   */
  onUnreadable?: (input: UnreadableInput) => void;
}

export async function runAql(query: string, paths: string[], opts: AqlRunOptions): Promise<AqlResult> {
  const parsed = parseAql(query); // syntax errors before any loading
  const dir = mkdtempSync(join(tmpdir(), 'supplywatch-aql-'));
  // On disk, and with a memory limit, so that a large export spills to the file instead of
  // growing the process (DuckDB's default limit is 80% of RAM).
  const instance = await DuckDBInstance.create(join(dir, 'events.duckdb'), { memory_limit: '256MB' });
  const db = await instance.connect();
  try {
    const { columns, events } = await loadEvents(db, paths, opts.inputFormat, { onBad: opts.onBad, onUnreadable: opts.onUnreadable });
    const { sql } = translate(parsed, { columns }, opts.now, query);
    let reader;
    try {
      reader = await db.runAndReadAll(sql);
    } catch (e) {
      // What the parser let through and DuckDB still refuses (a value it cannot cast, a limit of its own).
      throw new AqlError(`DuckDB could not run the query: ${(e as Error).message.split('\n')[0]}`);
    }
    return { columns: reader.columnNames(), rows: reader.getRows().map((r) => r.map(cell)), sql, events };
  } finally {
    db.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
