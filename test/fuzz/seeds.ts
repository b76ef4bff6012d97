/**
 * Seed inputs per reader: real files from ../shared/corpus (cut to their first lines or bytes so
 * a case stays fast), samples/ and test fixtures. Each reader also gets a few seeds of other
 * formats: a reader must survive whatever it is handed with --input-format.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rawCsvField } from '../../src/outputs/escape.js';
import { CORPUS, REPO } from './harness.js';

function corpus(relative: string): Buffer {
  const path = join(CORPUS, relative);
  if (!existsSync(path)) throw new Error(`${path} not found: the fuzz tests need ../shared/corpus (see README)`);
  return readFileSync(path);
}
const repoFile = (relative: string) => readFileSync(join(REPO, relative));

/** The first `count` lines of a text file. */
function firstLines(bytes: Buffer, count: number): Buffer {
  let at = -1;
  for (let i = 0; i < count; i++) {
    at = bytes.indexOf(0x0a, at + 1);
    if (at < 0) return bytes;
  }
  return bytes.subarray(0, at + 1);
}

const OTRF = 'OTRF__Security-Datasets/';

/** Sysmon for Linux events of the corpus as classic syslog lines (`Mmm dd HH:MM:SS host sysmon: <Event>…`). */
function sysmonSyslog(): Buffer {
  const rows = firstLines(corpus(OTRF + 'syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json'), 12)
    .toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { SyslogMessage: string; HostName: string });
  return Buffer.from(rows.map((r) => `May 11 18:10:20 ${r.HostName} sysmon: ${r.SyslogMessage}`).join('\n') + '\n');
}

function qradarOnePerLine(): Buffer {
  const { events } = JSON.parse(repoFile('samples/qradar-export.json').toString('utf8')) as { events: unknown[] };
  return Buffer.from(`{"events": [\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`);
}

/** The sample export as QRadar CSV: the AQL column names as header, one record per line. */
export function qradarCsv(): Buffer {
  const { events } = JSON.parse(repoFile('samples/qradar-export.json').toString('utf8')) as { events: Array<Record<string, unknown>> };
  const columns = [...new Set(events.flatMap((e) => Object.keys(e)))];
  const cell = (v: unknown) => (v === undefined || v === null ? '' : rawCsvField(String(v)));
  return Buffer.from([columns.map(cell), ...events.map((e) => columns.map((c) => cell(e[c])))].map((r) => r.join(',')).join('\n') + '\n');
}

/** The JSON objects of an NDJSON file as one pretty-printed array (`jq -s .`), or as pretty objects one after another (`jq .`). */
function reshaped(ndjson: Buffer, shape: 'array' | 'objects'): Buffer {
  const records = ndjson.toString('utf8').split('\n').flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? [value] : [];
    } catch {
      return [];
    }
  });
  const text = shape === 'array' ? JSON.stringify(records, null, 2) : records.map((r) => JSON.stringify(r, null, 2)).join('\n');
  return Buffer.from(text + '\n');
}

export function seedsFor(format: string): Buffer[] {
  const evtx = () => corpus('sbousseaden__EVTX-ATTACK-SAMPLES/Execution/revshell_cmd_svchost_sysmon_1.evtx');
  const otrf = () => firstLines(corpus(OTRF + 'cmd_mshta_vbscript_execute_psh_2020-10-2202580804.json'), 20);
  const any = [repoFile('test/fixtures/sources/sigma.ndjson'), repoFile('test/fixtures/windows/atomic1-npm-postinstall.sysmon.xml')];
  switch (format) {
    case 'qradar-json': return [repoFile('samples/qradar-export.json'), qradarOnePerLine(), repoFile('test/fixtures/sources/qradar-events.json'), ...any];
    case 'qradar-csv': return [repoFile('test/fixtures/sources/qradar-events.csv'), qradarCsv(), ...any];
    case 'evtx-json': return [repoFile('test/fixtures/sources/evtx-dump.json'), repoFile('test/fixtures/sources/evtx-dump.jsonl'), ...any];
    case 'evtxecmd': return [repoFile('test/fixtures/windows/atomic-1-3-4.evtxecmd.csv'), repoFile('test/fixtures/windows/atomic-1-3-4.evtxecmd.json'), ...any];
    case 'evtx': return [evtx(), corpus('sbousseaden__EVTX-ATTACK-SAMPLES/Execution/exec_sysmon_1_ftp.evtx')];
    case 'winlogbeat': return [repoFile('test/fixtures/sources/winlogbeat.ndjson'), reshaped(repoFile('test/fixtures/sources/winlogbeat.ndjson'), 'array'), reshaped(repoFile('test/fixtures/sources/winlogbeat.ndjson'), 'objects'), repoFile('test/fixtures/windows/atomic-1-3-4.elastic-search.json'), repoFile('test/fixtures/windows/atomic-1-3-4.elasticdump.ndjson'), ...any];
    case 'otrf': return [otrf(), firstLines(corpus(OTRF + 'syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json'), 10), repoFile('test/fixtures/sources/otrf.ndjson'), repoFile('test/fixtures/windows/atomic-1-3-4.nxlog.ndjson'), reshaped(otrf(), 'array'), reshaped(otrf(), 'objects')];
    case 'windows-xml': return [repoFile('test/fixtures/windows/atomic1-npm-postinstall.sysmon.xml'), repoFile('test/fixtures/windows/atomic4-registry-4873.sysmon.xml'), repoFile('test/fixtures/sources/sigma.ndjson')];
    case 'csv-events': return [repoFile('test/fixtures/windows/atomic-1-3-4.splunk.csv'), repoFile('test/fixtures/windows/atomic-1-3-4.kibana.csv'), repoFile('test/fixtures/windows/atomic-1-3-4.sentinel-event.csv'), repoFile('test/fixtures/windows/atomic-1-3-4.defender.csv'), repoFile('test/fixtures/windows/atomic-1-3-4.evtxecmd.csv'), ...any];
    case 'eventviewer-csv': return [repoFile('test/fixtures/windows/eventviewer-save-as.csv'), ...any];
    case 'defender': return [repoFile('test/fixtures/windows/atomic-1-3-4.defender.csv'), repoFile('test/fixtures/windows/atomic-1-3-4.defender.json'), repoFile('test/fixtures/windows/atomic-1-3-4.defender-timeline.csv'), ...any];
    case 'powershell-winevent': {
      const records = JSON.parse(repoFile('test/fixtures/windows/get-winevent.convertto-json.json').toString('utf8')) as unknown[];
      return [repoFile('test/fixtures/windows/get-winevent.convertto-json.json'), Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n'), repoFile('test/fixtures/windows/get-winevent.export-csv.csv'), ...any];
    }
    case 'splunk': return [repoFile('test/fixtures/windows/atomic-1-3-4.splunk-export.json'), repoFile('test/fixtures/windows/atomic-1-3-4.splunk-rest.json'), reshaped(repoFile('test/fixtures/windows/atomic-1-3-4.splunk-export.json'), 'objects'), ...any];
    case 'sysmon-linux-syslog': return [sysmonSyslog(), firstLines(corpus(OTRF + 'syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json'), 8)];
    case 'auditd': return [corpus(OTRF + 'sh_arp_cache_2020-11-10074812.log'), corpus('elastic__beats/filebeat/module/auditd/log/test/execve-hex-arg.log'), repoFile('test/fixtures/auditd/audit-log.txt')];
    case 'ecs': return [repoFile('test/fixtures/windows/atomic-1-3-4.elastic-defend.ndjson'), reshaped(repoFile('test/fixtures/windows/atomic-1-3-4.elastic-defend.ndjson'), 'array'), ...any];
    case 'falcon': return [repoFile('test/fixtures/windows/atomic-1-3-4.falcon-fdr.ndjson'), reshaped(repoFile('test/fixtures/windows/atomic-1-3-4.falcon-fdr.ndjson'), 'array'), repoFile('test/fixtures/sources/falcon-logscale.ndjson'), ...any];
    case 'osquery': return [repoFile('test/fixtures/linux/osquery-npm-postinstall.ndjson'), firstLines(repoFile('test/fixtures/linux/osquery-npm-postinstall.ndjson'), 4), ...any];
    case 'laurel': return [repoFile('test/fixtures/auditd/laurel-npm-postinstall.jsonl'), firstLines(repoFile('test/fixtures/auditd/laurel-npm-postinstall.jsonl'), 6)];
    case 'snare': return [repoFile('test/fixtures/windows/atomic-1-3-4.snare.log'), ...any];
    case 'sentinelone': return [repoFile('test/fixtures/windows/atomic-1-3-4.sentinelone.ndjson'), reshaped(repoFile('test/fixtures/windows/atomic-1-3-4.sentinelone.ndjson'), 'array'), ...any];
    case 'journald': return [repoFile('test/fixtures/auditd/journal-npm-postinstall.json'), firstLines(repoFile('test/fixtures/auditd/journal-npm-postinstall.json'), 12)];
    case 'wineventlog': return [repoFile('test/fixtures/windows/atomic-1-3-4.wineventlog.log'), ...any];
    case 'sigma-ndjson': return [repoFile('test/fixtures/sources/sigma.ndjson'), firstLines(repoFile('samples/sysmon-npm-install.ndjson'), 30), otrf(), reshaped(repoFile('test/fixtures/sources/sigma.ndjson'), 'array'), reshaped(repoFile('test/fixtures/sources/sigma.ndjson'), 'objects')];
    default: throw new Error(`no fuzz seeds for reader ${format}: add them here`);
  }
}
