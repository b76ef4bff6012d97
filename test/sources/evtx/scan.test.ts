/**
 * End to end: `supplywatch scan FILE.evtx` with SigmaHQ Windows rules gives the same alerts
 * (rule and EventRecordID) as `supplywatch scan` of the same records in evtx_dump's JSON layout,
 * where that JSON is built from Debian's `evtxexport -f xml` output (an independent decoder), not
 * from our reader.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireShared, runCli } from '../../helpers/cli.js';
import { evtxexportAsEvtxDumpJson } from './reference.js';

const SAMPLES = 'corpus/real/sbousseaden__EVTX-ATTACK-SAMPLES';
const FILES = [
  'AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx', // Sysmon 1/3/7/10–13/19–21
  'Privilege_Escalation/security_4624_4673_token_manip.evtx', // Security 4688 (no ParentProcessName), 4624, 1102 UserData
  'Lateral_Movement/smbmap_upload_exec_sysmon.evtx', // Sysmon 3, 11, 12, 13
];
const dir = mkdtempSync(join(tmpdir(), 'evtx-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each alert as `file stem: rule id @ EventRecordID`, sorted. */
function alertKeys(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { rule: { id: string }; fields: { EventRecordID: unknown }; source: { file: string } })
    .map((alert) => `${basename(alert.source.file).replace(/\.(evtx|json)$/, '')}: ${alert.rule.id} @ ${String(alert.fields.EventRecordID)}`)
    .sort();
}

describe('scan of .evtx equals scan of its evtx_dump-style JSON (built from evtxexport)', () => {
  it(`${FILES.length} corpus files with every SigmaHQ Windows rule`, async () => {
    const rules = requireShared('sigmahq/rules/windows');
    const evtxDir = join(dir, 'evtx');
    const jsonDir = join(dir, 'json');
    mkdirSync(evtxDir);
    mkdirSync(jsonDir);
    for (const name of FILES) {
      const evtx = requireShared(`${SAMPLES}/${name}`);
      const stem = name.replace(/\W/g, '_').replace(/_evtx$/, '');
      copyFileSync(evtx, join(evtxDir, `${stem}.evtx`));
      writeFileSync(join(jsonDir, `${stem}.json`), evtxexportAsEvtxDumpJson(evtx));
    }
    const fromEvtx = await runCli(['scan', evtxDir, '--rules', rules, '--format', 'jsonl', '--threads', '1']);
    const fromJson = await runCli(['scan', jsonDir, '--rules', rules, '--format', 'jsonl', '--threads', '1', '--input-format', 'evtx-json']);
    expect(fromEvtx.status, fromEvtx.stderr).toBe(1);
    expect(fromJson.status, fromJson.stderr).toBe(1);
    expect(fromEvtx.stderr).toMatch(/bad records: 0\b/);
    expect(fromJson.stderr).toMatch(/bad records: 0\b/);
    const evtxAlerts = alertKeys(fromEvtx.stdout);
    // Every file gives alerts, so each file's equality is tested, not only the sum.
    for (const name of FILES) expect(evtxAlerts.some((k) => k.startsWith(name.replace(/\W/g, '_').replace(/_evtx$/, '') + ':')), name).toBe(true);
    expect(evtxAlerts).toEqual(alertKeys(fromJson.stdout));
  }, 180_000);
});
