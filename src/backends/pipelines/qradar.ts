/**
 * QRadar pipeline (data): Sigma/Sysmon field → QRadar property of the Sysmon and Windows
 * Security DSMs (the names the seed query and the QRadar export use), and logsource → the
 * QID-name condition. The category conditions are exactly the ones the QRadar readers use to
 * set an event's category (src/sources/qradar-columns.ts), case-sensitive like the seed's LIKE.
 * The field map is the reverse of the readers' column → Sigma aliases (plus URL, which keeps its
 * name): a rule then means the same on a QRadar export as AQL and in the native engine, which
 * test/aql/aql-execution.test.ts checks. Other fields pass through as custom properties.
 */
export const QRADAR_FIELDS: Readonly<Record<string, string>> = {
  Image: 'Process Name',
  CommandLine: 'Command',
  ParentImage: 'Parent Process Name',
  ParentCommandLine: 'Parent Command',
  TargetFilename: 'File Path',
  URL: 'URL',
  User: 'username',
  SourceIp: 'sourceip',
  DestinationIp: 'destinationip',
  Computer: 'devicehostname',
  qidname: 'QIDNAME(qid)',
};

/** AQL built-in (lower-case, unquoted) columns; every other property is written "quoted". */
export const QRADAR_BUILTIN_COLUMNS = new Set([
  'starttime', 'endtime', 'devicetime', 'qid', 'devicetype', 'logsourceid', 'category', 'username', 'sourceip',
  'destinationip', 'sourceport', 'destinationport', 'devicehostname', 'payload', 'eventcount', 'magnitude', 'protocolid',
]);

/**
 * Category → QID-name substrings (OR-linked, LIKE: case-sensitive), in the readers' order: an
 * event gets the FIRST category whose names its QID name contains, so a category's condition
 * also excludes the names of the categories before it (`Process Create / Network Connect` is a
 * process_creation and not a network_connection, in AQL as in the native engine).
 */
export const QRADAR_CATEGORY_QIDS: ReadonlyArray<readonly [category: string, qidNames: readonly string[]]> = [
  ['process_creation', ['Process Create']],
  ['network_connection', ['Network Connect']],
  ['file_event', ['File Create', 'FileCreate']],
];
