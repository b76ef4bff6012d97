/**
 * The logsources SigmaHQ's Windows rules name must be ones events get, or those rules never meet
 * an event: its PowerShell categories (205 rules: ps_script 162, ps_module 33, ps_classic_start
 * 9, ps_classic_provider_start 1) by channel and EventID, and its services (codeintegrity,
 * firewall, AppLocker, NTLM, … 70 rules) by channel.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/events/event.js';
import { RuleIndex, loadRules } from '../../../src/sigma/index.js';
import { readInputs } from '../../../src/sources/open.js';
import { CHANNEL_SERVICE_NAMES, channelService, windowsLogSource } from '../../../src/sources/windows-logsource.js';
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

  it('every service a SigmaHQ Windows rule names is the service of some channel', () => {
    const named = new Set<string>();
    const root = requireShared('sigmahq/rules/windows');
    for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yml'))) {
      const lines = readFileSync(join(root, file), 'utf8').split('\n');
      const at = lines.indexOf('logsource:');
      let service: string | undefined;
      for (let i = at + 1; at >= 0 && i < lines.length && /^[ \t]/.test(lines[i]!); i++) service ??= /^[ \t]+service:[ \t]*['"]?([\w-]+)/.exec(lines[i]!)?.[1];
      if (service !== undefined) named.add(service);
    }
    expect(named.size).toBeGreaterThan(30);
    const produced = CHANNEL_SERVICE_NAMES;
    expect([...named].filter((service) => !produced.has(service))).toEqual([]);
  });

  it('channels are looked up whatever their case', () => {
    expect(channelService('Microsoft-Windows-CodeIntegrity/Operational')).toBe('codeintegrity-operational');
    expect(channelService('microsoft-windows-codeintegrity/operational')).toBe('codeintegrity-operational');
    expect(channelService('Microsoft-Windows-AppLocker/EXE and DLL')).toBe('applocker');
    expect(channelService('Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational')).toBeUndefined();
    expect(windowsLogSource({ channel: 'security', eventId: 4688 }, {})).toEqual({ product: 'windows', service: 'security', category: 'process_creation' });
    expect(windowsLogSource({ channel: 'microsoft-windows-sysmon/operational', eventId: 3 }, {})).toEqual({ product: 'windows', service: 'sysmon', category: 'network_connection' });
  });

  it("Sysmon's EventIDs give the categories of pySigma's Sysmon pipeline (sysmon_generic_logsource_eventid_mapping)", () => {
    const pySigma: Record<string, number[]> = {
      process_creation: [1], file_change: [2], network_connection: [3], sysmon_status: [4, 16], process_termination: [5], driver_load: [6],
      image_load: [7], create_remote_thread: [8], raw_access_thread: [9], process_access: [10], file_event: [11], registry_add: [12],
      registry_set: [13], registry_rename: [14], create_stream_hash: [15], pipe_created: [17, 18], wmi_event: [19, 20, 21], dns_query: [22],
      file_delete: [23], clipboard_capture: [24], process_tampering: [25], file_delete_detected: [26], file_block_executable: [27],
      file_block_shredding: [28], file_executable_detected: [29], sysmon_error: [255],
    };
    for (const [category, ids] of Object.entries(pySigma)) {
      for (const eventId of ids) expect(windowsLogSource({ channel: 'Microsoft-Windows-Sysmon/Operational', eventId }, { EventType: 'CreateKey' }).category, String(eventId)).toBe(category);
    }
    // registry_delete is Sysmon 12 with a DeleteKey or DeleteValue EventType.
    expect(windowsLogSource({ channel: 'Microsoft-Windows-Sysmon/Operational', eventId: 12 }, { EventType: 'DeleteValue' }).category).toBe('registry_delete');
  });
});
