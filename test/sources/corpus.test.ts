/**
 * OTRF Security-Datasets files from ../shared/corpus (never copied into the repo).
 *
 * Expected numbers were counted independently of this code, with
 *   grep -c '' FILE                                   (records: one JSON object per line)
 * and a python3 one-off over each file:
 *   for line in open(f): o = json.loads(line); ch, eid = o.get('Channel'), o.get('EventID')
 *   Sysmon channel: EventID 1 → process_creation, 3 → network_connection, 11 → file_event,
 *   13 → registry_set; Security channel 4688 → process_creation; no Channel → 'nochannel'.
 * The totals per file also match MANIFEST.md.
 */
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/sources/open.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import type { BadRecord } from '../../src/sources/reader.js';
import { otrfReader } from '../../src/sources/otrf.js';
import { corpusFile, readWith } from './helpers.js';

const DIR = 'OTRF__Security-Datasets';

interface Expected {
  records: number;
  categories: Record<string, number>;
  /** Records without a Channel (Azure Syslog / VMConnection rows): no category. */
  noChannel?: number;
}

const FILES: Record<string, Expected> = {
  'cmd_bitsadmin_download_psh_script_2020-10-2302365189.json': {
    records: 424,
    categories: { process_creation: 4, network_connection: 8, file_event: 6, registry_set: 15 },
  },
  'cmd_mshta_vbscript_execute_psh_2020-10-2202580804.json': {
    records: 1127,
    categories: { process_creation: 6, file_event: 5, registry_set: 48 },
  },
  'psh_python_webserver_2020-10-2900161507.json': {
    records: 2395,
    categories: { process_creation: 6, file_event: 4, registry_set: 23 },
  },
  'securityauditing_log4shell_cve2021_44228_java_serialized_object_2022-05-13045400.json': {
    records: 39,
    categories: { process_creation: 2 },
  },
  'sysmon_log4shell_cve2021_44228_java_serialized_object_2022-05-13045800.json': {
    records: 487,
    categories: { process_creation: 2, network_connection: 5, file_event: 4 },
  },
  'wmic_remote_xsl_jscript_2020-10-1802171958.json': {
    records: 1364,
    categories: { process_creation: 12, network_connection: 1, file_event: 9, registry_set: 61 },
  },
  // The SyslogMessage <Event> XML is parsed (Linux-Sysmon channel): python3 over SyslogMessage counted
  // EventID 1: 31, 3: 6, 11: 4 (and 5: 50, 23: 2, untracked categories), as MANIFEST.md says.
  'syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json': {
    records: 93,
    categories: { process_creation: 31, network_connection: 6, file_event: 4 },
  },
  // AUOMS_EXECVE rows (auditd/auoms.ts): `grep -c success=yes` = 27 successful execs; the 23 failed ones keep no category.
  'syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json': { records: 50, categories: { process_creation: 27 }, noChannel: 23 },
  'vminsights_vmconnection_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json': { records: 5, categories: {}, noChannel: 5 },
};

const count = (events: NormalizedEvent[], key: (e: NormalizedEvent) => string | undefined) => {
  const counts: Record<string, number> = {};
  for (const e of events) {
    const k = key(e);
    if (k !== undefined) counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
};

describe('OTRF corpus', () => {
  for (const [name, expected] of Object.entries(FILES)) {
    it(`${name}: sniffed as otrf, every record read, categories as counted`, async () => {
      const path = corpusFile(`${DIR}/${name}`);
      const bad: BadRecord[] = [];
      const events: NormalizedEvent[] = [];
      let format = '';
      for await (const batch of readInputs([path], { onBad: (b) => bad.push(b) })) {
        format = batch.format;
        events.push(...batch.events);
      }
      expect(format).toBe('otrf');
      expect(bad).toEqual([]);
      expect(events).toHaveLength(expected.records);
      const tracked = new Set(['process_creation', 'network_connection', 'file_event', 'registry_set']);
      expect(count(events, (e) => (e.category && tracked.has(e.category) ? e.category : undefined))).toEqual(expected.categories);
      expect(events.filter((e) => e.fields.Channel === undefined && e.category === undefined)).toHaveLength(expected.noChannel ?? 0);
      expect(events.every((e) => e.time !== undefined && e.host !== undefined)).toBe(true);
    });
  }

  it('psh_python_webserver: Sysmon 1 and Security 4688 of python.exe both map to process_creation fields', async () => {
    const { events } = await readWith(otrfReader, createReadStream(corpusFile(`${DIR}/psh_python_webserver_2020-10-2900161507.json`)));
    const python = events.filter((e) => e.category === 'process_creation' && /python\.exe$/i.test(String(e.fields.Image)));
    // Counted with python3: one Sysmon EID 1 and one 4688 whose Image/NewProcessName ends in python.exe.
    expect(python.map((e) => e.service).sort()).toEqual(['security', 'sysmon']);
    for (const e of python) {
      expect(e.fields.ParentImage).toMatch(/powershell\.exe$/i);
      expect(String(e.fields.CommandLine)).toMatch(/http\.server/);
    }
  });

  it('per-EventID counts of the Sysmon-in-Azure file match MANIFEST.md', async () => {
    const { events } = await readWith(otrfReader, createReadStream(corpusFile(`${DIR}/sysmon_log4shell_cve2021_44228_java_serialized_object_2022-05-13045800.json`)));
    expect(count(events, (e) => String(e.fields.EventID))).toEqual({
      '12': 292, '7': 155, '10': 12, '18': 6, '3': 5, '11': 4, '17': 4, '26': 3, '22': 2, '5': 2, '1': 2,
    });
    expect(events.find((e) => e.category === 'network_connection')?.fields.Image).toMatch(/tomcat9\.exe$/);
  });
});
