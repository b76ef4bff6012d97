/** Every input format selectable with `--input-format` and content sniffing, in tie-break order. */
import { auditdReader } from './auditd.js';
import { csvEventsReader } from './csv-events.js';
import { ecsReader } from './ecs.js';
import { defenderReader } from './defender.js';
import { evtxJsonReader } from './evtx-json.js';
import { evtxReader } from './evtx.js';
import { evtxEcmdReader } from './evtxecmd.js';
import { falconReader } from './falcon.js';
import { journaldReader } from './journald.js';
import { laurelReader } from './laurel.js';
import { eventViewerCsvReader } from './eventviewer-csv.js';
import { osqueryReader } from './osquery.js';
import { otrfReader } from './otrf.js';
import { powershellWinEventReader } from './powershell-winevent.js';
import { qradarCsvReader } from './qradar-csv.js';
import { qradarJsonReader } from './qradar-json.js';
import { sentinelOneReader } from './sentinelone.js';
import type { SourceReader } from './reader.js';
import { sigmaNdjsonReader } from './sigma-ndjson.js';
import { snareReader } from './snare.js';
import { splunkReader } from './splunk.js';
import { sysmonLinuxSyslogReader } from './sysmon-linux-syslog.js';
import { windowsXmlReader } from './windows-xml.js';
import { winEventLogReader } from './wineventlog.js';
import { winlogbeatReader } from './winlogbeat.js';

export const READERS: readonly SourceReader[] = [
  qradarJsonReader,
  qradarCsvReader,
  evtxJsonReader,
  evtxReader,
  evtxEcmdReader,
  eventViewerCsvReader,
  winlogbeatReader,
  ecsReader,
  otrfReader,
  powershellWinEventReader,
  windowsXmlReader,
  defenderReader,
  falconReader,
  osqueryReader,
  sentinelOneReader,
  csvEventsReader,
  splunkReader,
  sysmonLinuxSyslogReader,
  auditdReader,
  journaldReader,
  laurelReader,
  winEventLogReader,
  snareReader,
  sigmaNdjsonReader,
];
