/**
 * Every record of every `.evtx` file in ../shared/corpus/real, read by the native reader, against
 * Debian's `evtxexport -f xml` (libevtx-utils; `.ci/run` installs it): same records in the same
 * order, and the same EventRecordID, EventID, time, Computer, Channel, Provider and every
 * EventData/UserData value, after the representation-only normalization listed in
 * `reference.ts` `normalize` (and in src/sources/evtx/README.md).
 *
 * evtxexport reads every file of this corpus with exit status 0 and prints every record (its
 * counts equal MANIFEST.md's), so no record here needs another reference; the test asserts that,
 * so a corpus file evtxexport cannot read would fail here instead of passing unverified.
 */
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evtxReader } from '../../../src/sources/evtx.js';
import { readWith } from '../helpers.js';
import { corpusEvtxFiles, evtxexport, normalize } from './reference.js';

const files = corpusEvtxFiles();
/** Field names that come from System (element names, and `Element_Attribute` for attributes). */
const SYSTEM_FIELD = /^(Provider|EventID|Version|Level|Task|Opcode|Keywords|TimeCreated|EventRecordID|Correlation|Execution|Channel|Computer|Security)(_|$)/;

describe('native EVTX reader vs evtxexport -f xml, whole corpus', () => {
  it('finds the corpus .evtx files', () => {
    expect(files.length).toBeGreaterThanOrEqual(24);
  });

  for (const file of files) {
    const name = file.slice(file.indexOf('corpus/real/') + 'corpus/real/'.length);
    it(name, async () => {
      const reference = evtxexport(file);
      expect(reference.status, `evtxexport failed: ${reference.stderr}`).toBe(0);
      const { events, bad } = await readWith(evtxReader, createReadStream(file), file);
      expect(bad).toEqual([]);
      expect(reference.events.length).toBeGreaterThan(0);
      expect(events.length).toBe(reference.events.length);
      let compared = 0;
      reference.events.forEach((ref, i) => {
        const event = events[i];
        const f = event.fields;
        const where = `${name} record ${ref.system.EventRecordID}`;
        expect(normalize(f.EventRecordID), where).toBe(normalize(ref.system.EventRecordID));
        expect(event.source.record, where).toBe(Number(ref.system.EventRecordID));
        expect(normalize(f.EventID), where).toBe(normalize(ref.system.EventID));
        expect(normalize(f.Computer), where).toBe(normalize(ref.system.Computer));
        expect(event.host, where).toBe(ref.system.Computer);
        expect(normalize(f.Channel), where).toBe(normalize(ref.system.Channel));
        expect(normalize(f.Provider_Name), where).toBe(normalize(ref.system.Provider_Name));
        const time = normalize(ref.system.TimeCreated_SystemTime);
        expect(normalize(f.TimeCreated_SystemTime), where).toBe(time);
        expect(event.time, where).toBe(Date.parse(time.slice(0, 23) + 'Z'));
        for (const [key, value] of Object.entries(ref.data)) {
          // Security 4688's ProcessId is the parent's: windowsEvent moves it to ParentProcessId
          // (a field mapping shared with every Windows reader, not a decoding difference).
          const mine = f.Channel === 'Security' && f.EventID === 4688 && key === 'ProcessId' ? f.ParentProcessId : f[key];
          expect(mine === undefined ? undefined : normalize(mine), `${where} ${key}`).toBe(normalize(value));
          compared++;
        }
        // And nothing evtxexport does not show: every field not from System is one of its values
        // (or one the Security 4688 mapping adds).
        const mapped = f.Channel === 'Security' && f.EventID === 4688 ? ['Image', 'ParentImage', 'User', 'ParentProcessId'] : [];
        for (const key of Object.keys(f)) {
          if (SYSTEM_FIELD.test(key) || mapped.includes(key) || (key === 'Data' && ref.anonymous.length > 0)) continue;
          expect(ref.data, `${where}: ${key} is not in evtxexport's output`).toHaveProperty([key]);
        }
        if (ref.anonymous.length > 0) {
          const data = f.Data;
          const mine = Array.isArray(data) ? data : [data];
          expect(mine.map(normalize), `${where} Data`).toEqual(ref.anonymous.map(normalize));
        }
      });
      expect(compared).toBeGreaterThan(0);
    });
  }
});
