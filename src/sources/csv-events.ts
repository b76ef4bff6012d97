/**
 * CSV exports of SIEM searches whose columns are event fields: what analysts download far more
 * often than JSON. One header row of field names, one event per row, read by csv-rows.ts
 * (RFC 4180 quoting; an empty cell is an absent field; a row with the wrong cell count is one
 * bad record with its line). Five layouts, told apart by the header:
 *
 * - Splunk ("Export → CSV" in Splunk Web, `| outputcsv`, REST `output_mode=csv`): Splunk's own
 *   columns (`_time`, `host`, `source`, `sourcetype`, `_raw`) beside the extracted fields (the
 *   Sysmon add-on's names, EventID as `EventCode`). `_time` is ISO 8601 with an offset (`+00:00`
 *   or `+0000`) or, from outputcsv, epoch seconds; a multivalue field is one cell with its values
 *   on separate lines; Splunk Web quotes the names of its `_` fields (`"_time",host,source,
 *   sourcetype,"_raw"`, the header a Splunk add-on's code checks for) (help.splunk.com, Search
 *   Reference "outputcsv"; Search Manual "Export search results"). Each row is a Splunk result
 *   and goes through splunk.ts's mapping.
 * - Microsoft Sentinel / Log Analytics ("Export → CSV (all columns)" in the portal): the table's
 *   columns, datetime columns renamed `TimeGenerated [UTC]` (or `[Local Time]`, as the portal
 *   displays them) with values like `11/27/2026, 9:14:02.120 AM` (month first, en-US), a byte
 *   order mark (the `\uFEFFTimeGenerated [UTC]` and `TimeGenerated [Local Time]` columns that
 *   scripts reading these exports handle, found with the code search). `SecurityEvent` has
 *   `Computer`, `EventID`, `Channel`, `EventSourceName`, `NewProcessName`, `ParentProcessName`,
 *   `CommandLine`, …, and `EventData` as XML (`<EventData><Data Name=…>`); `Event` has
 *   `EventLog` (the channel), `Source` (the provider), `EventID` and `EventData` as the agent's
 *   `<DataItem>` around the XML EventData; `WindowsEvent` has `Channel`, `Provider`, `EventID`
 *   and `EventData` as JSON (learn.microsoft.com / docs.azure.cn, Azure Monitor Logs reference,
 *   tables "Event", "SecurityEvent", "WindowsEvent"). EventData is lifted beside the columns as
 *   otrf lifts it (the XML read by event-xml.ts); the row's own columns win. A `[Local Time]` column gives no time unless its value
 *   carries a zone: the viewer's zone is unknown.
 * - Kibana Discover's CSV report (Share → CSV Reports): ECS dotted columns
 *   (`@timestamp`, `host.name`, `winlog.channel`, `winlog.event_id`, `winlog.event_data.Image`,
 *   `process.command_line`, …), values quoted, `@timestamp` ISO 8601 or in Kibana's `dateFormat`
 *   (`Nov 27, 2026 @ 09:14:02.120`, the format elastic/elasticsearch#55609 taught
 *   find_file_structure), written in the zone Kibana displays (`dateFormat:tz`, the browser's by
 *   default), read here as UTC (set `dateFormat:tz` to UTC before exporting). Values Kibana
 *   escaped as formulas (`'-`, `'=…`) are taken back. `winlog.*` columns are nested back into the
 *   `winlog` object and the row goes through winlogbeat.ts's mapping; a report of Elastic Defend
 *   or Auditbeat documents (`event.category`, no `winlog.*` column) goes through ecs.ts's.
 * - SentinelOne's Deep Visibility / Data Lake CSV export (`event.type` and `src.process.*`
 *   columns): sentinelone.ts's mapping.
 * - CrowdStrike Falcon events (Falcon event search / LogScale "Export as CSV", an FDR index in
 *   a SIEM): an `event_simpleName` or `#event_simpleName` column; each row goes through
 *   falcon.ts's mapping, with one process table per input.
 * Sentinel's `Syslog` table (`Facility`, `SyslogMessage`) of Linux hosts: a SyslogMessage holding
 * Sysmon for Linux's `<Event>` is that event (event-xml.ts), an AUOMS record (`type=AUOMS_EXECVE …`,
 * auditd-derived) the event auditd/auoms.ts makes of it, as otrf reads the same rows as JSON.
 * Any other CSV whose header names event fields (a spreadsheet of Sysmon events, Graylog) is read
 * like the Sentinel layout: the cells are the fields, EventID from `EventID`/`EventCode`/`Id`,
 * channel from `Channel`/`EventLog`/`LogName`, provider from `Provider_Name`/`Provider`/
 * `ProviderName`/`SourceName`/`EventSourceName`/`Source`, logsource through windows-logsource.ts
 * (Sysmon for Linux by its channel or provider), or from `category`/`product`/`service` columns
 * when the export carries Sigma's logsource; host `Computer`/`Hostname`/`host`.
 *
 * Sniffed at 0.8, below the CSV formats with columns of their own (qradar-csv, defender 0.9,
 * evtxecmd 0.95). Not splittable: a quoted cell may hold line breaks (a multivalue Splunk field,
 * a command line, Sentinel's EventData), so a byte range cannot know whether it starts inside a
 * row, and a range has no header.
 */
import type { Readable } from 'node:stream';
import type { Fields, LogSource, NormalizedEvent, Provenance } from '../events/event.js';
import { createAuomsRowMapper } from './auditd/auoms.js';
import { headerNames, readCsvRows } from './csv-rows.js';
import { embeddedEvent, eventFromEmbeddedXml } from './event-xml.js';
import { stringOf } from './json-util.js';
import { liftJsonEventData, liftXmlEventData } from './otrf.js';
import type { ReadContext, SourceReader } from './reader.js';
import { fromResult as splunkResultEvent } from './splunk.js';
import { parseTime } from './time.js';
import { toEventId, windowsEvent } from './windows-logsource.js';
import { toEvent as winlogbeatEvent } from './winlogbeat.js';
import { ecsDocumentEvent } from './ecs.js';
import { createFalconMapper } from './falcon.js';
import { sentinelOneEvent } from './sentinelone.js';

const FORMAT = 'csv-events';

/** Columns naming the kind of event: its id, or the log it came from. */
const ID_COLUMNS = new Set(['EventID', 'EventCode', 'Id', 'event.code', 'winlog.event_id', 'event.category', 'event_simpleName', '#event_simpleName']);
const LOG_COLUMNS = new Set([
  'Channel', 'EventLog', 'LogName', 'Provider_Name', 'Provider', 'ProviderName', 'SourceName', 'EventSourceName',
  'sourcetype', 'winlog.channel', 'winlog.provider_name', 'event.provider', 'Facility',
]);
/** Columns holding what an event did, in Sigma/Sysmon, Security 4688, ECS or Falcon names. */
const EVENT_COLUMNS = new Set([
  'Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'TargetFilename', 'DestinationIp', 'DestinationHostname',
  'DestinationPort', 'QueryName', 'TargetObject', 'ImageLoaded', 'NewProcessName', 'ParentProcessName', 'EventData', '_raw', 'SyslogMessage',
  'process.executable', 'process.command_line', 'process.parent.executable', 'file.path', 'destination.ip',
  'destination.domain', 'dns.question.name', 'ImageFileName', 'TargetFileName', 'DomainName', 'RemoteAddressIP4',
  'src.process.cmdline', 'tgt.process.cmdline', 'tgt.file.path', 'dst.ip.address',
]);
const ECS_EVENT_DATA = /^winlog\.event_data\./;

export const csvEventsReader: SourceReader = {
  format: FORMAT,
  description: 'CSV export of SIEM search results with event-field columns: Splunk, Sentinel / Log Analytics, Kibana (ECS), Falcon event search, spreadsheets',
  sniff(head) {
    const columns = headerNames(head)?.map(baseName);
    if (columns === undefined) return 0;
    const named = columns.some((c) => ID_COLUMNS.has(c) || LOG_COLUMNS.has(c));
    const eventField = columns.some((c) => EVENT_COLUMNS.has(c) || ECS_EVENT_DATA.test(c));
    return named && eventField ? 0.8 : 0;
  },
  read: readCsvEvents,
};

/** `TimeGenerated [UTC]` → `TimeGenerated`: the portal's suffix says the zone its values are shown in. */
const ZONE_SUFFIX = /^(.*?) \[(UTC|Local Time)\]$/;

function baseName(column: string): string {
  return ZONE_SUFFIX.exec(column)?.[1] ?? column;
}

type Layout = 'splunk' | 'ecs' | 'falcon' | 'sentinelone' | 'fields';

interface WinlogColumn {
  column: string;
  parents: string[];
  leaf: string;
}

/** What the header says about every row of the input. */
interface Header {
  layout: Layout;
  /** Columns with the portal's zone suffix → their field names (`TimeGenerated [UTC]` → `TimeGenerated`). */
  renames: Map<string, string>;
  /** The `winlog.*` columns as paths inside the `winlog` object (`winlog.event_data.Image` → event_data, Image). */
  winlogColumns: WinlogColumn[];
  /** Columns shown in the viewer's zone (`[Local Time]`): a value without a zone gives no time. */
  localColumns: Set<string>;
}

function headerOf(cells: readonly string[]): Header {
  const raw = cells; // as the rows are keyed
  const columns = raw.map(baseName);
  const renames = new Map(raw.flatMap((column) => (ZONE_SUFFIX.test(column) ? [[column, baseName(column)] as const] : [])));
  const localColumns = new Set(raw.flatMap((column) => (ZONE_SUFFIX.exec(column)?.[2] === 'Local Time' ? [baseName(column)] : [])));
  const has = (name: string) => columns.includes(name);
  const layout: Layout = has('event_simpleName') || has('#event_simpleName')
    ? 'falcon'
    : has('event.type') && (has('src.process.name') || has('src.process.image.path'))
      ? 'sentinelone'
      : columns.some((c) => c.startsWith('winlog.') || c === 'event.code' || c === 'host.name' || c === 'event.category')
        ? 'ecs'
        : has('_time') || has('sourcetype') || has('_raw') ? 'splunk' : 'fields';
  const winlogColumns = columns.filter((c) => c.startsWith('winlog.')).map((column) => {
    const path = column.slice('winlog.'.length).split('.');
    return { column, parents: path.slice(0, -1), leaf: path[path.length - 1]! };
  });
  return { layout, renames, winlogColumns, localColumns };
}

async function* readCsvEvents(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  let header: Header | undefined;
  // Mappers with a table per input: AUOMS rows of Sentinel's Syslog table (auditd/auoms.ts), Falcon's events (falcon.ts).
  const mappers = { auoms: createAuomsRowMapper(), falcon: createFalconMapper() };
  yield* readCsvRows(input, ctx, FORMAT, (row, source) => rowEvent(row, header!, source, mappers), (cells) => void (header = headerOf(cells)));
}

interface RowMappers {
  auoms: ReturnType<typeof createAuomsRowMapper>;
  falcon: ReturnType<typeof createFalconMapper>;
}

function rowEvent(row: Fields, header: Header, source: Provenance, mappers: RowMappers): NormalizedEvent | string {
  for (const [column, name] of header.renames) {
    if (row[column] === undefined) continue;
    row[name] = row[column]!;
    delete row[column];
  }
  const event =
    header.layout === 'splunk' ? splunkEvent(row, source)
    : header.layout === 'ecs' ? ecsEvent(row, header.winlogColumns, source)
    : header.layout === 'falcon' ? mappers.falcon(row, source)
    : header.layout === 'sentinelone' ? sentinelOneEvent(row, source)
    : mappers.auoms(row, source) ?? fieldsEvent(row, source);
  if (typeof event === 'string') return event;
  // An embedded <Event>'s own time (Splunk's _raw, Sentinel's SyslogMessage) wins, as in the JSON readers. Winlogbeat's
  // mapping reads @timestamp with Date.parse, which takes Kibana's rendering in the machine's zone: the row's time replaces it.
  if (header.layout === 'ecs' || event.time === undefined) {
    const time = rowTime(row, header.localColumns);
    if (time !== undefined) event.time = time;
    else delete event.time;
  }
  return event;
}

/** Splunk writes a multivalue field as its values on separate lines: the identifying ones become lists, as in its JSON. */
const SPLUNK_MULTIVALUE_KEYS = ['EventCode', 'EventID', 'sourcetype', 'source', 'host', 'Computer', 'Channel', 'LogName'] as const;

function splunkEvent(row: Fields, source: Provenance): NormalizedEvent | string {
  for (const key of SPLUNK_MULTIVALUE_KEYS) {
    const value = row[key];
    if (typeof value === 'string' && value.includes('\n')) row[key] = value.split(/\r?\n/);
  }
  return splunkResultEvent(row, source);
}

/**
 * Kibana's CSV reports escape a value that a spreadsheet would run as a formula with a leading
 * `'` (`xpack.reporting.csv.escapeFormulaValues`, on by default; its CSV_FORMULA_CHARS are
 * `= + - @`, older versions also tab and CR): Sysmon's `-` for an empty field is written `'-`.
 */
const KIBANA_ESCAPED_FORMULA = /^'[=+\-@\t\r]/;

/** Kibana's columns are ECS paths: `winlog.*` nested back into the object winlogbeat's mapping reads, the rest kept flat. */
function ecsEvent(row: Fields, winlogColumns: readonly WinlogColumn[], source: Provenance): NormalizedEvent | string {
  for (const column in row) {
    const value = row[column];
    if (typeof value === 'string' && KIBANA_ESCAPED_FORMULA.test(value)) row[column] = value.slice(1);
  }
  // Elastic Defend's or Auditbeat's documents have no winlog object: ecs.ts reads them (dotted columns are ECS paths to it).
  if (winlogColumns.length === 0 && row['event.category'] !== undefined) return ecsDocumentEvent(row, source);
  const winlog: Fields = {};
  for (const { column, parents, leaf } of winlogColumns) {
    const value = row[column];
    if (value === undefined) continue;
    delete row[column];
    let node = winlog;
    for (const key of parents) node = (node[key] ??= {}) as Fields;
    node[leaf] = value;
  }
  row.winlog = winlog;
  return winlogbeatEvent(row, source);
}

const PROVIDER_COLUMNS = ['Provider_Name', 'Provider', 'ProviderName', 'SourceName', 'EventSourceName', 'Source'] as const;
const HOST_COLUMNS = ['Computer', 'Hostname', 'HostName', 'host'] as const;

/** Sentinel rows and any other CSV of event fields: the cells are the fields, EventData XML lifted beside them. */
function fieldsEvent(row: Fields, source: Provenance): NormalizedEvent | string {
  // Sentinel's Syslog table: Sysmon for Linux's <Event> in SyslogMessage is the event, as otrf reads the same row.
  const syslog = row.SyslogMessage;
  const xml = typeof syslog === 'string' ? embeddedEvent(syslog) : undefined;
  if (xml !== undefined) return eventFromEmbeddedXml(xml, row, firstString(row, HOST_COLUMNS), source);
  liftJsonEventData(row); // WindowsEvent: EventData is JSON
  liftXmlEventData(row);
  const eventId = toEventId(row.EventID ?? row.EventCode ?? row.Id);
  if (row.EventID === undefined && eventId !== undefined) row.EventID = eventId;
  const channel = firstString(row, ['Channel', 'EventLog', 'LogName']);
  const provider = firstString(row, PROVIDER_COLUMNS);
  if (row.Channel === undefined && channel !== undefined) row.Channel = channel;
  if (row.Provider_Name === undefined && provider !== undefined) row.Provider_Name = provider;
  const host = firstString(row, HOST_COLUMNS);
  const logSource = sigmaLogSource(row);
  if (logSource === undefined) return windowsEvent(row, { channel, provider, eventId }, host, undefined, source);
  const event: NormalizedEvent = { fields: row, source, ...logSource };
  if (host !== undefined) event.host = host;
  const user = stringOf(row.User);
  if (user !== undefined && user !== '-') event.user = user;
  return event;
}

/** An export that carries Sigma's logsource as columns (`category`, `product`, `service`): Linux rows, auditd-derived ones. */
function sigmaLogSource(row: Fields): LogSource | undefined {
  const logSource: LogSource = {};
  for (const key of ['category', 'product', 'service'] as const) {
    const value = stringOf(row[key]);
    if (value !== undefined) logSource[key] = value;
  }
  return Object.keys(logSource).length > 0 ? logSource : undefined;
}

function firstString(row: Fields, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = stringOf(row[key]);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** Where the event's time comes from, first found first: Splunk's, Sentinel's, Kibana's, then the event's own. */
const TIME_COLUMNS = ['_time', 'TimeGenerated', '@timestamp', 'UtcTime', 'TimeCreated'] as const;

function rowTime(row: Fields, localColumns: Set<string>): number | undefined {
  for (const key of TIME_COLUMNS) {
    const value = row[key];
    const time = typeof value === 'string' ? cellTime(key, value.split(/\r?\n/, 1)[0]!, localColumns.has(key)) : undefined;
    if (time !== undefined) return time;
  }
  return undefined;
}

/** A value that names its zone: `Z`, `+00:00` or `+0000` at the end. */
const ZONED = /(Z|[+-]\d{2}:?\d{2})$/;
const YEAR_FIRST = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/;
/** The portal's en-US rendering: `11/27/2026, 9:14:02.120 AM`. */
const PORTAL_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))? ([AP]M)$/;
/** Kibana's default `dateFormat`: `Nov 27, 2026 @ 09:14:02.120`. */
const KIBANA_TIME = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) @ (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A cell's time in epoch ms, UTC. Splunk's `_time` may be epoch seconds. A time without a zone is
 * UTC (Sysmon's UtcTime, the portal's `[UTC]` columns), except under `[Local Time]`: no time then.
 * Day-first and other locales' renderings are ambiguous and give no time rather than a wrong one.
 */
function cellTime(column: string, value: string, local: boolean): number | undefined {
  if (column === '_time' && /^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  if (ZONED.test(value) && YEAR_FIRST.test(value)) return parseTime(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (local) return undefined;
  if (YEAR_FIRST.test(value)) return parseTime(value);
  const portal = PORTAL_TIME.exec(value);
  if (portal !== null) {
    const [, month, day, year, hour, minute, second, fraction, half] = portal;
    const hour24 = (Number(hour) % 12) + (half === 'PM' ? 12 : 0);
    return utc(Number(year), Number(month), Number(day), hour24, minute!, second!, fraction);
  }
  const kibana = KIBANA_TIME.exec(value);
  if (kibana !== null) {
    const [, monthName, day, year, hour, minute, second, fraction] = kibana;
    const month = MONTHS.indexOf(monthName!) + 1;
    return month === 0 ? undefined : utc(Number(year), month, Number(day), Number(hour), minute!, second!, fraction);
  }
  return undefined;
}

function utc(year: number, month: number, day: number, hour: number, minute: string, second: string, fraction: string | undefined): number | undefined {
  const ms = Date.UTC(year, month - 1, day, hour, Number(minute), Number(second), fraction === undefined ? 0 : Number(fraction.padEnd(3, '0')));
  return Number.isNaN(ms) ? undefined : ms;
}
