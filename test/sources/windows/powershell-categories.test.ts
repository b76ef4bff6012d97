/**
 * SigmaHQ's PowerShell categories (205 of its Windows rules: ps_script 162, ps_module 33,
 * ps_classic_start 9, ps_classic_provider_start 1) name events by channel and EventID, not by a
 * Sysmon EventID: the logsource mapping must give them, or those rules never meet an event.
 */
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/events/event.js';
import { RuleIndex, loadRules } from '../../../src/sigma/index.js';
import { readInputs } from '../../../src/sources/open.js';
import { windowsLogSource } from '../../../src/sources/windows-logsource.js';
import { requireShared } from '../../helpers/cli.js';

describe('PowerShell logsource categories', () => {
  it('script block and module logging in both PowerShell channels; the classic log by EventID; other events none', () => {
    const category = (channel: string, eventId: number) => windowsLogSource({ channel, eventId }, {}).category;
    expect(category('Microsoft-Windows-PowerShell/Operational', 4104)).toBe('ps_script');
    expect(category('Microsoft-Windows-PowerShell/Operational', 4103)).toBe('ps_module');
    expect(category('PowerShellCore/Operational', 4104)).toBe('ps_script');
    expect(category('PowerShellCore/Operational', 4103)).toBe('ps_module');
    expect(category('Windows PowerShell', 400)).toBe('ps_classic_start');
    expect(category('Windows PowerShell', 600)).toBe('ps_classic_provider_start');
    expect(category('Windows PowerShell', 800)).toBe('ps_classic_script');
    expect(category('Microsoft-Windows-PowerShell/Operational', 4105)).toBeUndefined();
    expect(category('Windows PowerShell', 4104)).toBeUndefined();
    expect(category('System', 4104)).toBeUndefined();
    expect(windowsLogSource({ channel: 'Microsoft-Windows-PowerShell/Operational', eventId: 4104 }, {})).toEqual({ product: 'windows', service: 'powershell', category: 'ps_script' });
  });

  it('a real 4104 of the EVTX corpus fires the SigmaHQ ps_script rule on its script block', async () => {
    const file = requireShared('corpus/evtx-attack-samples/Credential Access/Powershell_4104_MiniDumpWriteDump_Lsass.evtx');
    const { rules } = await loadRules([requireShared('sigmahq/rules/windows/powershell/powershell_script/posh_ps_malicious_keywords.yml')]);
    const index = new RuleIndex(rules);
    const events: NormalizedEvent[] = [];
    for await (const batch of readInputs([file], {})) events.push(...batch.events);
    const fired = events.filter((e) => index.match(e).length > 0).map((e) => [e.source.record, e.fields.EventID, e.category]);
    expect(fired).toEqual([[971, 4104, 'ps_script']]);
  });
});
