/**
 * Snare's MSWinEventLog lines (snare.ts). test/fixtures/windows/atomic-1-3-4.snare.log holds the
 * seed's atomic tests 1, 3 and 4 (the seven Sysmon events of test/fixtures/windows/*.sysmon.xml)
 * as a Snare agent sends them over syslog — Sysmon's rendered message (`Process Create:` then
 * `Name: value` lines) with every CR, LF and tab turned into a space — and, last, the Security
 * 4688 of the same node.exe → cmd.exe start as Windows renders it (sections, tabbed labels, the
 * closing paragraph about token types) behind an RFC 5424 header.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { sniffFormat } from '../../src/sources/open.js';
import { snareReader } from '../../src/sources/snare.js';
import { messageItems, unflattenedMessage } from '../../src/sources/windows-message.js';
import { windowsXmlReader } from '../../src/sources/windows-xml.js';
import { runCli } from '../helpers/cli.js';
import { readWith } from './helpers.js';

const WIN = fileURLToPath(new URL('../fixtures/windows/', import.meta.url));
const FILE = `${WIN}atomic-1-3-4.snare.log`;
const TEXT = readFileSync(FILE, 'utf8');
const LINES = TEXT.trimEnd().split('\n');
const XML = ['atomic1-npm-postinstall', 'atomic3-workflow-file', 'atomic4-registry-4873'].map((n) => `${WIN}${n}.sysmon.xml`);
const read = (text: string) => readWith(snareReader, Readable.from([text]), 'snare.log');
/** Windows' line breaks and tabs as Snare sends them. */
const flat = (message: string) => message.replace(/[\r\n\t]/g, ' ');

const SIGMA = ['Image', 'CommandLine', 'ParentImage', 'ParentCommandLine', 'CurrentDirectory', 'User', 'IntegrityLevel', 'Hashes', 'ProcessGuid', 'ParentProcessGuid', 'TargetFilename', 'SourceIp', 'DestinationIp', 'DestinationPort', 'DestinationHostname', 'UtcTime'];
const sigma = (e: NormalizedEvent) => ({ category: e.category, product: e.product, service: e.service, host: e.host, ...Object.fromEntries(SIGMA.map((k) => [k, e.fields[k]])) });

describe('snare reader', () => {
  it('is chosen for MSWinEventLog lines, behind a syslog header or a bare host name', () => {
    expect(sniffFormat(TEXT)?.format).toBe('snare');
    expect(sniffFormat(LINES[7]!)?.format).toBe('snare');
    expect(sniffFormat(LINES[0]!.replace(/^<13>\S+ \S+ \S+ /, 'DEV-WS-042\t'))?.format).toBe('snare');
  });

  it("gives Sysmon's events the fields, category and time their XML gives", async () => {
    const { events, bad } = await read(TEXT);
    expect(bad).toEqual([]);
    expect(events).toHaveLength(8);
    const fromXml = (await readWith(windowsXmlReader, Readable.from(XML.map((f) => readFileSync(f, 'utf8')).join('\n')))).events;
    expect(events.slice(0, 7).map(sigma)).toEqual(fromXml.map(sigma));
    // Snare sends no TimeCreated: the time is Sysmon's UtcTime (the XML's events are a millisecond later, when they were logged).
    for (const e of events.slice(0, 7)) expect(e.time).toBe(Date.parse(`${(e.fields.UtcTime as string).replace(' ', 'T')}Z`));
    expect(events[0]!.fields).toMatchObject({ EventLogType: 'Information', CategoryString: 'Process Create (rule: ProcessCreate)', SnareCounter: '48211', Criticality: '1' });
  });

  it('reads a Security 4688 from its flattened message: the creator, the process, not the closing paragraph', async () => {
    const { events } = await read(LINES[7]! + '\n');
    expect(events[0]).toMatchObject({
      category: 'process_creation',
      time: Date.parse('2026-11-27T09:14:02Z'),
      user: 'CORP\\alice',
      fields: {
        Image: 'C:\\Windows\\System32\\cmd.exe',
        ParentImage: 'C:\\Program Files\\nodejs\\node.exe',
        CommandLine: 'C:\\WINDOWS\\system32\\cmd.exe /d /s /c "whoami > %TEMP%\\argus-npm-test.txt"',
        MandatoryLabel: 'Mandatory Label\\Medium Mandatory Level',
        TokenElevationType: '%%1938',
        SubjectUserName: 'alice',
      },
    });
  });

  it("restores a flattened message's lines: sections name an account line, a value may run over lines", () => {
    const logon = flat('An account was successfully logged on.\r\n\r\nSubject:\r\n\tSecurity ID:\t\tS-1-5-18\r\n\tAccount Name:\t\tHOST$\r\n\r\nLogon Information:\r\n\tLogon Type:\t\t3\r\n\r\nNew Logon:\r\n\tSecurity ID:\t\tS-1-5-21-1-2-3-500\r\n\tAccount Name:\t\tAdministrator\r\n\r\nNetwork Information:\r\n\tSource Network Address:\t10.0.0.9\r\n\tSource Port:\t\t50123\r\n\r\nThis event is generated when a logon session is created.');
    const items = messageItems('Microsoft-Windows-Security-Auditing', 4624, unflattenedMessage('Microsoft-Windows-Security-Auditing', 4624, logon));
    expect(items).toEqual({ SubjectUserSid: 'S-1-5-18', SubjectUserName: 'HOST$', LogonType: '3', TargetUserSid: 'S-1-5-21-1-2-3-500', TargetUserName: 'Administrator', IpAddress: '10.0.0.9', IpPort: '50123' });
    const privileges = flat('Special privileges assigned to new logon.\r\n\r\nSubject:\r\n\tAccount Name:\t\tadmin\r\n\r\nPrivileges:\t\tSeSecurityPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeDebugPrivilege');
    expect(messageItems('Microsoft-Windows-Security-Auditing', 4672, unflattenedMessage('Microsoft-Windows-Security-Auditing', 4672, privileges)).PrivilegeList).toBe('SeSecurityPrivilege     SeBackupPrivilege     SeDebugPrivilege');
    // A message that kept its lines, or of a layout not known, is left as it is.
    expect(unflattenedMessage('Microsoft-Windows-Security-Auditing', 4624, 'A\r\nB:  c')).toBe('A\r\nB:  c');
    expect(unflattenedMessage('Application Error', 1000, 'Faulting application name:  x.exe')).toBe('Faulting application name:  x.exe');
  });

  it('reports a line that is no Snare event with its line number and reads on', async () => {
    const text = [LINES[0], '<13>Nov 27 09:14:01 DEV-WS-042 MSWinEventLog\t1\tSecurity\t5', 'some other syslog line', LINES[1]].join('\n') + '\n';
    const { events, bad } = await read(text);
    expect(events).toHaveLength(2);
    expect(bad.map((b) => b.line)).toEqual([2, 3]);
  });

  it('the seed and hardened packs: the alerts of the Sysmon XML, and arm 1 again on the 4688', async () => {
    const titles = async (paths: string[], pack: string) => {
      const r = await runCli(['scan', ...paths, '--rules', pack, '--format', 'jsonl']);
      return r.stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { rule: { title: string }; fields: { EventID: number } }));
    };
    for (const pack of ['seed', 'hardened']) {
      const fromSnare = await titles([FILE], pack);
      const sysmon = fromSnare.filter((a) => a.fields.EventID !== 4688).map((a) => a.rule.title).sort();
      expect(sysmon, pack).toEqual((await titles(XML, pack)).map((a) => a.rule.title).sort());
    }
    const security = (await titles([FILE], 'seed')).filter((a) => a.fields.EventID === 4688);
    expect(security.map((a) => a.rule.title)).toEqual(['Package Manager Spawned Suspicious Child (seed arm 1)']);
  });
});
