/**
 * QRadar event columns (AQL names, as in the seed query) → normalized event. Shared by the
 * qradar-json and qradar-csv readers so both exports give identical events.
 *
 * NULL semantics: a column that is NULL in QRadar is ABSENT from the event (neither null nor
 * ''), so a Sigma/AQL condition on it behaves like `"Process Name" ILIKE ...` on NULL: no match.
 */
import type { Fields, NormalizedEvent, Provenance } from '../events/event.js';

/** The keys QRadar uses for the event name, depending on how the AQL selected it. */
const QID_NAME_KEYS = ['qidname', 'QIDNAME(qid)', 'Event Name'] as const;

/** QRadar column → Sigma field name, added next to the original column. */
const SIGMA_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['Process Name', 'Image'],
  ['Command', 'CommandLine'],
  ['Parent Process Name', 'ParentImage'],
  ['Parent Command', 'ParentCommandLine'],
  ['File Path', 'TargetFilename'],
  ['username', 'User'],
  ['sourceip', 'SourceIp'],
  ['destinationip', 'DestinationIp'],
  ['devicehostname', 'Computer'],
];

/** Log source type columns a QRadar export may carry (custom selections). */
const LOG_SOURCE_TYPE_KEYS = ['LOGSOURCETYPENAME(devicetype)', 'Log Source Type', 'logsourcetypename'] as const;
const WINDOWS_PATH = /^[A-Za-z]:\\|\.exe$/i;

/** The QID name of a row, whichever key it came under. */
export function qidName(row: Fields): string | undefined {
  for (const key of QID_NAME_KEYS) {
    const value = row[key];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

/**
 * Category from the QID name, matched case-SENSITIVELY and in this order, exactly like the
 * seed query's `QIDNAME(qid) LIKE '%Process Create%'` / `'%Network Connect%'` arms.
 */
export function qradarCategory(qid: string | undefined): string | undefined {
  if (qid === undefined) return undefined;
  if (qid.includes('Process Create')) return 'process_creation';
  if (qid.includes('Network Connect')) return 'network_connection';
  if (qid.includes('File Create') || qid.includes('FileCreate')) return 'file_event';
  return undefined;
}

/**
 * Windows only when the data says so: a Windows log source type or QID name, or a process or
 * file path that is a Windows path. Otherwise product stays unset (QRadar also holds Linux).
 */
function isWindows(row: Fields, qid: string | undefined): boolean {
  if (qid !== undefined && /windows/i.test(qid)) return true;
  for (const key of LOG_SOURCE_TYPE_KEYS) {
    const value = row[key];
    if (typeof value === 'string' && /windows/i.test(value)) return true;
  }
  for (const key of ['Process Name', 'Parent Process Name', 'File Path']) {
    const value = row[key];
    if (typeof value === 'string' && WINDOWS_PATH.test(value)) return true;
  }
  return false;
}

/**
 * Build the event from a row that holds only non-NULL columns. `row` becomes the event's
 * `fields` (not copied) and gains the Sigma names and `qidname`.
 */
export function qradarEvent(row: Fields, time: number, source: Provenance): NormalizedEvent {
  const qid = qidName(row);
  if (qid !== undefined && row.qidname === undefined) row.qidname = qid;
  for (const [column, sigma] of SIGMA_NAMES) {
    const value = row[column];
    if (value !== undefined && row[sigma] === undefined) row[sigma] = value;
  }
  const event: NormalizedEvent = { time, fields: row, source };
  const category = qradarCategory(qid);
  if (category !== undefined) event.category = category;
  if (isWindows(row, qid)) event.product = 'windows';
  if (row.devicehostname !== undefined) event.host = String(row.devicehostname);
  if (row.username !== undefined) event.user = String(row.username);
  return event;
}

/** Sniffing hint shared by both QRadar readers: the AQL column names. */
export function hasQRadarColumns(names: string): boolean {
  return /starttime/.test(names) && /qidname|QIDNAME\(qid\)|Event Name|devicehostname/.test(names);
}
