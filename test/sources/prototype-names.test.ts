/**
 * Names that are the input's text — an audit record's type, an architecture, an ActionType, a
 * program's name, a message's label — are looked up in tables without the tables' inherited
 * members: `constructor`, `toString` and `hasOwnProperty` are no record type, no ActionType and no
 * package manager. Before, a program named `constructor` with an `install` argument threw in the
 * install context, and an audit record of type `constructor` stopped the reader for the rest of
 * its file.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { installContext, installManager } from '../../src/enrich/install-context.js';
import { auditdReader } from '../../src/sources/auditd.js';
import { defenderReader } from '../../src/sources/defender.js';
import { readWith } from './helpers.js';

const NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'];

describe("inherited members' names in the input", () => {
  it('a program named like one is no package manager, on Linux and Windows', () => {
    for (const name of NAMES) {
      for (const image of [`/usr/bin/${name}`, `C:\\x\\${name}.exe`]) {
        expect(installManager({ image, commandLine: `${name} install x` }), image).toBeUndefined();
        expect(installContext([{ image: '/usr/bin/sh', commandLine: 'sh -c id' }, { image, commandLine: `${name} install x` }]), image).toBeUndefined();
      }
    }
  });

  it('an audit record of such a type is read as that type; the events after it are read', async () => {
    const lines = NAMES.map((name, i) => `type=${name} msg=audit(1604994496.155:${900 + i}): pid=1 uid=0`);
    const execve = [
      'type=SYSCALL msg=audit(1604994497.000:1000): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=2 auid=0 uid=0 exe="/usr/bin/id"',
      'type=EXECVE msg=audit(1604994497.000:1000): argc=1 a0="id"',
      'type=EOE msg=audit(1604994497.000:1000): ',
    ];
    const { events } = await readWith(auditdReader, Readable.from([[...lines, ...execve].join('\n') + '\n']), 'audit.log');
    expect(events.filter((e) => e.category === 'process_creation').map((e) => e.fields.Image)).toEqual(['/usr/bin/id']);
  });

  it('an architecture named like one in ausearch -i output stays the text it is', async () => {
    const { events } = await readWith(auditdReader, Readable.from(['type=SYSCALL msg=audit(12/07/2026 10:00:00.000:5) : arch=constructor syscall=toString success=yes exit=0 ppid=1 pid=2 exe=/bin/x\n']), 'ausearch.txt');
    expect(events.map((e) => [e.fields.arch, e.fields.syscall])).toEqual([['constructor', 'toString']]);
  });

  it('a Defender ActionType named like one is no registry event', async () => {
    const csv = `Timestamp,DeviceName,ActionType,FileName,FolderPath,InitiatingProcessFileName\n${NAMES.map((name) => `2024-01-01T00:00:00Z,h,${name},a.exe,C:\\x\\a.exe,b.exe`).join('\n')}\n`;
    const { events, bad } = await readWith(defenderReader, Readable.from([csv]), 'defender.csv');
    expect(bad).toEqual([]);
    expect(events).toHaveLength(NAMES.length);
    for (const e of events) expect(String(e.category)).not.toMatch(/^registry/);
  });
});
