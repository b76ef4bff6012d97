import { describe, expect, it } from 'vitest';
import { requireShared, runCli } from '../helpers/cli.js';

/**
 * Scans of the real public telemetry in ../shared/corpus/real (see its MANIFEST). Expected
 * values were checked by hand, independently of supplywatch:
 * - seed on OTRF: a python3 loop over every JSON line found no ParentImage/ParentProcessName
 *   containing any seed package-manager parent, no URL field and no CI/CD path: 0 alerts.
 * - bitsadmin: `grep -n /transfer` finds exactly lines 3 (Security 4688) and 118 (Sysmon 1),
 *   both `bitsadmin.exe /transfer … https://raw.githubusercontent.com/…`.
 */
describe('real corpus (needs ../shared/corpus)', () => {
  // The two auditd .log files hold 3 execve events: `grep -c '^type=SYSCALL'` gives 2 and 1.
  it('seed pack: no alert on the OTRF sets; the auditd logs are read as auditd', async () => {
    const dir = requireShared('corpus/real/OTRF__Security-Datasets');
    const r = await runCli(['scan', dir, '--rules', 'seed', '--format', 'jsonl']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/events read: 5987\b/);
    expect(r.stderr).toMatch(/bad records: 0\b/);
    expect(r.stderr).toMatch(/sh_arp_cache_2020-11-10074812\.log: 2 events \(auditd\)/);
    expect(r.stderr).toMatch(/sh_binary_padding_dd_2020-11-10081941\.log: 1 event \(auditd\)/);
  });

  it('SigmaHQ bitsadmin rule fires on the 4688 and the Sysmon 1 record alike', async () => {
    const file = requireShared('corpus/real/OTRF__Security-Datasets/cmd_bitsadmin_download_psh_script_2020-10-2302365189.json');
    const rule = requireShared('sigmahq/rules/windows/process_creation/proc_creation_win_bitsadmin_download.yml');
    const r = await runCli(['scan', file, '--rules', rule, '--format', 'jsonl', '-q']);
    expect(r.status).toBe(1);
    const alerts = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(alerts.map((a) => [a.source.line, a.fields.EventID, a.category])).toEqual([
      [3, 4688, 'process_creation'],
      [118, 1, 'process_creation'],
    ]);
  });
});
