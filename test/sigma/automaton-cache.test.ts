import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { keepAutomataIn, storedOrBuilt } from '../../dist/sigma/automaton-cache.js';
import { framed } from '../../dist/sigma/checked-file.js';
import type { AutomatonTables } from '../../dist/sigma/needle-index.js';

const needles = [
  { field: 'CommandLine', text: 'mimikatz' },
  { field: 'CommandLine', text: 'sekurlsa::' },
  { field: 'CommandLine', text: 'ı' },
];

afterEach(() => keepAutomataIn(undefined));

describe('automaton cache', () => {
  const key = 'CommandLine\0' + needles.map((n, i) => `${i}\0${n.text}`).join('\0');
  const sample = (): AutomatonTables => ({
    classes: new Uint8Array(65536).fill(1, 97, 123),
    width: 3,
    delta: Uint16Array.from([0, 1, 2, 0, 1, 2]),
    quiet: 1,
    sparse: new Map([[65536 + 0x131, 1]]),
    fail: Int32Array.from([0, 0]),
    starts: Int32Array.from([0, 0, 1]),
    ids: Int32Array.from([2]),
  });

  it('builds an automaton once, then reads the same tables back, in this process or the next', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-automata-'));
    keepAutomataIn(dir);
    let builds = 0;
    const build = () => (builds++, sample());
    const first = storedOrBuilt(key, build);
    const again = storedOrBuilt(key, build);
    expect(builds).toBe(1);
    expect(again).toEqual(first);
    expect(again.delta).toBeInstanceOf(Uint16Array);
    expect(storedOrBuilt(key + 'x', build)).toEqual(first);
    expect(builds).toBe(2); // another key, another automaton
  });

  it('builds again, and rewrites, a file that is corrupt, truncated, or not an automaton', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-automata-'));
    keepAutomataIn(dir);
    let builds = 0;
    const build = () => (builds++, sample());
    storedOrBuilt(key, build);
    const [folder] = readdirSync(dir);
    const [name] = readdirSync(join(dir, folder!));
    const file = join(dir, folder!, name!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(file, bytes);
    expect(storedOrBuilt(key, build)).toEqual(sample());
    expect(builds).toBe(2);
    writeFileSync(file, bytes.subarray(0, 80));
    storedOrBuilt(key, build);
    expect(builds).toBe(3);
    // Its checksum holds, but it is no automaton (the arrays' sizes do not agree), whether its
    // class table is stored as the file stores it (the chars not in class 0) or not.
    const { classes: _, ...rest } = sample();
    const stored = { ...rest, classChars: Uint16Array.from([97, 98]), classValues: Uint8Array.from([1, 1]) };
    writeFileSync(file, framed(serialize({ ...stored, starts: Int32Array.from([0, 0]) })));
    storedOrBuilt(key, build);
    expect(builds).toBe(4);
    writeFileSync(file, framed(serialize({ ...stored, classValues: Uint8Array.from([1]) })));
    storedOrBuilt(key, build);
    expect(builds).toBe(5);
    writeFileSync(file, framed(serialize(sample())));
    storedOrBuilt(key, build);
    expect(builds).toBe(6);
    storedOrBuilt(key, build);
    expect(builds).toBe(6);
  });

  it('builds every time with no folder (--no-cache), and removes the folders of other code versions when it writes', () => {
    let builds = 0;
    const build = () => (builds++, sample());
    storedOrBuilt(key, build);
    storedOrBuilt(key, build);
    expect(builds).toBe(2);
    const dir = mkdtempSync(join(tmpdir(), 'sw-automata-'));
    mkdirSync(join(dir, 'automata-0000000000000000'));
    writeFileSync(join(dir, 'rules-x.bin'), 'a rule cache file stays');
    keepAutomataIn(dir);
    storedOrBuilt(key, build);
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(/^automata-[0-9a-f]{16}$/), 'rules-x.bin']);
    expect(readdirSync(dir).includes('automata-0000000000000000')).toBe(false);
  });
});
