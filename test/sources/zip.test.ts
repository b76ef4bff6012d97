/**
 * Zip archives (zip.ts, open.ts): each file entry is an input of its own, named `ARCHIVE!/ENTRY`,
 * sniffed and read as the same file would be outside the archive; what a folder walk skips is
 * skipped; a damaged or unreadable entry is reported and the other entries are read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import type { NormalizedEvent } from '../../src/events/event.js';
import { readInputs } from '../../src/sources/open.js';
import type { BadRecord } from '../../src/sources/reader.js';
import { runCli } from '../helpers/cli.js';
import { corpusEvtxFiles } from './evtx/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIX = 'test/fixtures';
const EVTX = corpusEvtxFiles().find((f) => /PanacheSysmon_vs_AtomicRedTeam01/.test(f))!;
/** Entry name → its bytes, in the archive's order. */
const MEMBERS: [string, Buffer][] = [
  ['host1/atomic1.xml', readFileSync(`${FIX}/windows/atomic1-npm-postinstall.sysmon.xml`)],
  ['host1/fdr/part-00000', readFileSync(`${FIX}/windows/atomic-1-3-4.falcon-fdr.ndjson`)],
  ['C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx', readFileSync(EVTX)],
  ['host2/audit/audit.log.1.gz', gzipSync(readFileSync(`${FIX}/auditd/auditd-npm-postinstall.log`))],
  ['host2/README.md', Buffer.from('# collected by hand\n')],
  ['__MACOSX/host1/._atomic1.xml', Buffer.from('\u0000\u0005\u0016\u0007')],
  ['host2/.hidden.ndjson', Buffer.from('{"x":1}\n')],
];

/** An archive of `members` (deflated), with a folder entry, written at `path`; `compress` false stores them. */
async function archive(path: string, members: [string, Buffer][], compress = true): Promise<string> {
  const zip = new yazl.ZipFile();
  zip.addEmptyDirectory('host1/');
  for (const [entry, bytes] of members) zip.addBuffer(bytes, entry, { compress });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  writeFileSync(path, Buffer.concat(chunks));
  return path;
}

async function readAll(paths: string[]): Promise<{ events: NormalizedEvent[]; bad: BadRecord[]; unreadable: { file: string; code: string; reason: string }[]; formats: Map<string, string> }> {
  const events: NormalizedEvent[] = [];
  const bad: BadRecord[] = [];
  const unreadable: { file: string; code: string; reason: string }[] = [];
  const formats = new Map<string, string>();
  for await (const batch of readInputs(paths, { onBad: (b) => bad.push(b), onUnreadable: (u) => unreadable.push(u) })) {
    formats.set(batch.input, batch.format);
    events.push(...batch.events);
  }
  return { events, bad, unreadable, formats };
}

/** An event without where it was read from (the archive's entry or the file). */
const content = (e: NormalizedEvent) => ({ ...e, source: { format: e.source.format, line: e.source.line, record: e.source.record, offset: e.source.offset } });

describe('zip archives', () => {
  it("reads every file entry as the same file outside the archive gives, under the entry's name", async () => {
    const path = await archive(join(dir, 'collection.zip'), MEMBERS);
    const zipped = await readAll([path]);
    expect(zipped.bad).toEqual([]);
    expect(zipped.unreadable).toEqual([]);
    expect([...zipped.formats]).toEqual([
      [`${path}!/host1/atomic1.xml`, 'windows-xml'],
      [`${path}!/host1/fdr/part-00000`, 'falcon'],
      [`${path}!/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx`, 'evtx'],
      [`${path}!/host2/audit/audit.log.1.gz`, 'auditd'],
    ]);
    const files = MEMBERS.slice(0, 4).map(([entry, bytes]) => {
      const file = join(dir, entry.replaceAll('/', '_'));
      writeFileSync(file, bytes);
      return file;
    });
    const direct = await readAll(files);
    expect(zipped.events.map(content)).toEqual(direct.events.map(content));
    expect(zipped.events[0]!.source.file).toBe(`${path}!/host1/atomic1.xml`);
  });

  it('reads stored (uncompressed) entries, and an archive whatever its name', async () => {
    const path = await archive(join(dir, 'telemetry.bin'), MEMBERS.slice(0, 2), false);
    const { events, formats } = await readAll([path]);
    expect([...formats.values()]).toEqual(['windows-xml', 'falcon']);
    expect(events).toHaveLength(12);
  });

  it('reports a damaged entry and an entry it cannot inflate, and reads the others', async () => {
    const path = await archive(join(dir, 'damaged.zip'), MEMBERS.slice(0, 3));
    const bytes = readFileSync(path);
    // The first entry's data, deflated, starts after its local header (30 bytes, its name): flip bytes in it.
    const firstData = 30 + 'host1/atomic1.xml'.length + 40;
    for (let i = 0; i < 8; i++) bytes[firstData + i] ^= 0x5a;
    // The second entry's method (local header +8, central directory header +10) set to 99 (AES), which yauzl does not read.
    const name = Buffer.from('host1/fdr/part-00000');
    const local = bytes.indexOf(name) - 30; // the name follows its 30-byte local header
    expect(bytes.readUInt32LE(local)).toBe(0x04034b50);
    bytes.writeUInt16LE(99, local + 8);
    const central = bytes.lastIndexOf(name) - 46;
    expect(bytes.readUInt32LE(central)).toBe(0x02014b50);
    bytes.writeUInt16LE(99, central + 10);
    writeFileSync(path, bytes);
    const { events, bad, unreadable, formats } = await readAll([path]);
    expect(bad.map((b) => b.file)).toEqual([`${path}!/host1/atomic1.xml`]);
    expect(unreadable).toEqual([expect.objectContaining({ file: `${path}!/host1/fdr/part-00000`, code: 'UNSUPPORTED', reason: expect.stringMatching(/compression method/) })]);
    // The EVTX entry after them is read whole.
    expect(formats.get(`${path}!/C/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx`)).toBe('evtx');
    expect(events.filter((e) => e.source.format === 'evtx').length).toBeGreaterThan(500);
  });

  it('a scan of a folder holding an archive: the same alerts at one thread and at two', async () => {
    const folder = mkdtempSync(join(dir, 'folder-'));
    await archive(join(folder, 'kape.zip'), MEMBERS);
    writeFileSync(join(folder, 'loose.xml'), readFileSync(`${FIX}/windows/atomic3-workflow-file.sysmon.xml`));
    const alerts = async (threads: string) => {
      const r = await runCli(['scan', folder, '--rules', 'hardened', '--format', 'jsonl', '--threads', threads]);
      expect(r.stderr).toMatch(/kape\.zip!\/host2\/audit\/audit\.log\.1\.gz: 32 events \(auditd\)/);
      return r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { rule: { title: string }; source: { file: string } })).map((a) => `${a.rule.title} @ ${a.source.file}`);
    };
    const one = await alerts('1');
    expect(one.some((a) => a.endsWith('kape.zip!/host1/atomic1.xml'))).toBe(true);
    expect(one.some((a) => a.endsWith('loose.xml'))).toBe(true);
    expect(await alerts('2')).toEqual(one);
  });
});
