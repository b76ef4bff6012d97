import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/events/event.js';
import { auditdReader } from '../../../src/sources/auditd.js';
import { sniffFormat } from '../../../src/sources/open.js';
import { readWith } from '../helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CORPUS = join(HERE, '../../../../shared/corpus/real');

/** Every raw audit log the project has: the fixture and the real corpus's. */
function rawLogs(): string[] {
  if (!existsSync(CORPUS)) throw new Error(`${CORPUS} is missing: these tests read the shared real corpus`);
  const found = [join(HERE, '../../fixtures/auditd/audit-log.txt')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.log')) found.push(path);
    }
  };
  walk(CORPUS);
  return found;
}

/** `ausearch -i` of a raw log (Debian's auditd; `.ci/run` installs it), in UTC as the reader reads its times. */
function interpreted(raw: string): string {
  const run = spawnSync('ausearch', ['-i', '-if', raw], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
  if (run.error) throw new Error(`ausearch is missing (Debian package auditd): ${run.error.message}`);
  expect(run.stdout).toContain('----');
  return run.stdout;
}

/**
 * What the interpreted form must give as the raw one does. User and AuditUser are left out: ausearch
 * names the uids as the machine running it knows them.
 */
const seen = (e: NormalizedEvent) => {
  const f = e.fields;
  const picked: Record<string, unknown> = { category: e.category, time: e.time, host: e.host };
  for (const k of ['Image', 'CommandLine', 'CurrentDirectory', 'ProcessId', 'ParentProcessId', 'ParentImage', 'ParentCommandLine', 'DestinationIp', 'DestinationPort', 'TargetFilename', 'SourceFilename', 'SocketPath']) {
    if (f[k] !== undefined) picked[k] = f[k];
  }
  return picked;
};
/** ausearch prints an event's records in its own order, and events by time: compare as sets. */
const sorted = (events: NormalizedEvent[]) => events.map(seen).map((e) => JSON.stringify(e)).sort();

describe('auditd reader: ausearch -i output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-ausearch-'));
  for (const raw of rawLogs()) {
    it(`gives the events of the raw log: ${raw.slice(raw.lastIndexOf('/') + 1)}`, async () => {
      const text = interpreted(raw);
      const path = join(dir, `${raw.slice(raw.lastIndexOf('/') + 1)}.interpreted`);
      writeFileSync(path, text);
      expect(sniffFormat(text.slice(0, 65536))?.format).toBe('auditd');
      const original = await readWith(auditdReader, createReadStream(raw), raw);
      const read = await readWith(auditdReader, createReadStream(path), path);
      expect(read.bad.filter((b) => !/^not an audit record/.test(b.reason))).toEqual([]);
      expect(original.events.length).toBeGreaterThan(0);
      // The raw fixture holds deliberately broken lines, which ausearch leaves out.
      const kept = original.events.filter((e) => e.category !== undefined);
      expect(sorted(read.events.filter((e) => e.category !== undefined))).toEqual(sorted(kept));
    });
  }

  it('reads an argument holding spaces and `x=` whole, open flags by name, an unnamed uid and a separator-ended event', async () => {
    const text = [
      '----',
      'type=PROCTITLE msg=audit(12/07/26 10:00:00.250:77) : proctitle=sh -c echo a=b > out.txt ',
      'type=EXECVE msg=audit(12/07/26 10:00:00.250:77) : argc=3 a0=sh a1=-c a2=echo a=b > out.txt ',
      'type=SYSCALL msg=audit(12/07/26 10:00:00.250:77) : arch=x86_64 syscall=execve success=yes exit=0 a0=0x1 a1=0x2 a2=0x3 a3=0x4 items=2 ppid=10 pid=11 auid=unknown(1001) uid=unknown(1001) comm=sh exe=/usr/bin/dash key=(null) ',
      '----',
      'type=PATH msg=audit(12/07/26 10:00:00.300:78) : item=0 name=out file.txt inode=5 nametype=NORMAL ',
      'type=CWD msg=audit(12/07/26 10:00:00.300:78) : cwd=/home/dev/my app ',
      'type=SYSCALL msg=audit(12/07/26 10:00:00.300:78) : arch=x86_64 syscall=openat success=yes exit=3 a0=AT_FDCWD a1=0x7ffd a2=O_WRONLY|O_CREAT|O_TRUNC a3=0x1b6 items=1 ppid=10 pid=11 auid=unknown(1001) uid=unknown(1001) comm=sh exe=/usr/bin/dash key=(null) ',
      '',
    ].join('\n');
    const { events, bad } = await readWith(auditdReader, Readable.from([Buffer.from(text)]), 'interp.txt');
    expect(bad).toEqual([]);
    expect(events.map((e) => ({ ...seen(e), User: e.fields.User }))).toEqual([
      { category: 'process_creation', time: Date.UTC(2026, 11, 7, 10, 0, 0, 250), host: undefined, Image: '/usr/bin/dash', CommandLine: "sh -c 'echo a=b > out.txt'", ProcessId: 11, ParentProcessId: 10, User: '1001' },
      { category: 'file_event', time: Date.UTC(2026, 11, 7, 10, 0, 0, 300), host: undefined, Image: '/usr/bin/dash', ProcessId: 11, TargetFilename: '/home/dev/my app/out file.txt', User: '1001' },
    ]);
  });
});
