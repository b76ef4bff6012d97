import { describe, expect, it } from 'vitest';
import { ProcessTable, type ProcessInfo } from '../../../src/sources/auditd/process-table.js';
import { prng as random } from '../../helpers/prng.js';

/** The table's semantics written the plain way: a Map in recency order, both caps. */
class ReferenceTable {
  private readonly entries = new Map<string, ProcessInfo>();
  private chars = 0;
  constructor(private readonly cap: number, private readonly maxChars: number) {}

  get(host: string | undefined, pid: number): ProcessInfo | undefined {
    const key = keyOf(host, pid);
    const info = this.entries.get(key);
    if (info !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, info);
    }
    return info;
  }

  set(host: string | undefined, pid: number, info: ProcessInfo): void {
    this.exit(host, pid);
    this.add(keyOf(host, pid), info);
  }

  observe(host: string | undefined, pid: number, info: ProcessInfo): void {
    const key = keyOf(host, pid);
    if (!this.entries.has(key)) this.add(key, info);
  }

  exit(host: string | undefined, pid: number): void {
    const key = keyOf(host, pid);
    const info = this.entries.get(key);
    if (info === undefined) return;
    this.chars -= info.commandLine?.length ?? 0;
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private add(key: string, info: ProcessInfo): void {
    // A command line longer than the whole budget is not kept; the entry keeps its image.
    const commandLine = info.commandLine !== undefined && info.commandLine.length <= this.maxChars ? info.commandLine : undefined;
    this.entries.set(key, { image: info.image, commandLine });
    this.chars += commandLine?.length ?? 0;
    while (this.entries.size > this.cap || this.chars > this.maxChars) {
      const oldest = this.entries.keys().next().value!;
      this.chars -= this.entries.get(oldest)!.commandLine?.length ?? 0;
      this.entries.delete(oldest);
    }
  }
}

function keyOf(host: string | undefined, pid: number): string {
  return host === undefined ? `-${pid}` : `+${host}\0${pid}`;
}


const PIECES = ['a', 'Z', ' ', '-', "'", '"', '\\', '\0', 'é', '日本', '😀', '\ud800', '\udfff', '\udc00x', 'node ', '/usr/bin/'];

function randomText(next: () => number, maxLength: number): string {
  const length = Math.floor(next() ** 2 * (maxLength + 1));
  let text = '';
  while (text.length < length) text += PIECES[Math.floor(next() * PIECES.length)];
  return text.slice(0, length); // may cut a pair: a lone surrogate
}

function randomInfo(next: () => number, maxLength: number): ProcessInfo {
  const info: ProcessInfo = {};
  const r = next();
  if (r < 0.85) info.image = r < 0.6 ? `/bin/p${Math.floor(next() * 6)}` : `/opt/${randomText(next, 12)}`;
  if (next() < 0.85) info.commandLine = randomText(next, maxLength);
  return info;
}

describe('process table (typed-array storage) against a reference LRU', () => {
  const configs = [
    { seed: 1, cap: 1, maxChars: 1000, pids: 5, maxLength: 40 },
    { seed: 2, cap: 8, maxChars: 100, pids: 20, maxLength: 60 },
    { seed: 3, cap: 64, maxChars: 400, pids: 200, maxLength: 80 },
    { seed: 4, cap: 300, maxChars: 50_000, pids: 400, maxLength: 120 },
    { seed: 5, cap: 5, maxChars: 0, pids: 10, maxLength: 10 },
    { seed: 6, cap: 1000, maxChars: 3000, pids: 3000, maxLength: 100 },
  ];
  for (const { seed, cap, maxChars, pids, maxLength } of configs) {
    it(`gives the same results (seed ${seed}, cap ${cap}, ${maxChars} chars)`, () => {
      const next = random(seed);
      const table = new ProcessTable(cap, maxChars);
      const reference = new ReferenceTable(cap, maxChars);
      const hosts = [undefined, undefined, 'web-1', 'web-2', 'db', 'h\ud800'];
      for (let op = 0; op < 40_000; op++) {
        const host = hosts[Math.floor(next() * hosts.length)];
        const pid = Math.floor(next() * pids);
        const r = next();
        if (r < 0.3) {
          const info = randomInfo(next, maxLength);
          table.set(host, pid, info);
          reference.set(host, pid, info);
        } else if (r < 0.5) {
          const info = randomInfo(next, maxLength);
          table.observe(host, pid, info);
          reference.observe(host, pid, info);
        } else if (r < 0.9) {
          const got = table.get(host, pid);
          const want = reference.get(host, pid);
          if (want === undefined) expect(got, `op ${op}`).toBeUndefined();
          else expect([got?.image, got?.commandLine], `op ${op}`).toEqual([want.image, want.commandLine]);
        } else {
          table.exit(host, pid);
          reference.exit(host, pid);
        }
        if (table.size !== reference.size) expect(table.size, `size after op ${op}`).toBe(reference.size);
      }
      // Everything left matches too, in both directions.
      for (const host of hosts) {
        for (let pid = 0; pid < pids; pid++) {
          const want = reference.get(host, pid);
          const got = table.get(host, pid);
          expect(got === undefined ? undefined : [got.image, got.commandLine]).toEqual(want === undefined ? undefined : [want.image, want.commandLine]);
        }
      }
    });
  }

  it('keeps up with heavy churn past its initial allocation (growth, many evictions)', () => {
    const table = new ProcessTable(5000, 200_000);
    const reference = new ReferenceTable(5000, 200_000);
    const next = random(7);
    for (let pid = 0; pid < 60_000; pid++) {
      const info = { image: `/bin/p${pid % 37}`, commandLine: randomText(next, 90) };
      table.set('h', pid, info);
      reference.set('h', pid, info);
      if (pid % 7 === 0) {
        const back = pid - Math.floor(next() * 6000);
        const got = table.get('h', back);
        const want = reference.get('h', back);
        expect(got === undefined ? undefined : [got.image, got.commandLine]).toEqual(want === undefined ? undefined : [want.image, want.commandLine]);
      }
      if (pid % 11 === 0) {
        table.exit('h', pid - 3);
        reference.exit('h', pid - 3);
      }
    }
    expect(table.size).toBe(reference.size);
  });
});

describe('process table edge cases', () => {
  it('with cap 1 keeps only the entry used last', () => {
    const t = new ProcessTable(1);
    t.set(undefined, 1, { image: '/a', commandLine: 'a' });
    t.observe(undefined, 2, { image: '/b' });
    expect([t.get(undefined, 1), t.get(undefined, 2), t.size]).toEqual([undefined, { image: '/b' }, 1]);
    t.set(undefined, 2, { image: '/c', commandLine: 'c' });
    expect([t.get(undefined, 2), t.size]).toEqual([{ image: '/c', commandLine: 'c' }, 1]);
  });

  it('keeps the image alone, evicting nothing, for a command line longer than the whole budget', () => {
    const t = new ProcessTable(10, 20);
    t.set(undefined, 1, { image: '/a', commandLine: 'a'.repeat(20) });
    t.set(undefined, 2, { image: '/b', commandLine: 'b'.repeat(21) });
    expect(t.get(undefined, 2)).toEqual({ image: '/b' });
    expect(t.get(undefined, 2)?.commandLine).toBeUndefined();
    expect([t.get(undefined, 1)?.commandLine, t.size]).toEqual(['a'.repeat(20), 2]);
    // Replacing the image-only entry with a command line that fits evicts by the budget again.
    t.set(undefined, 2, { image: '/b', commandLine: 'b' });
    expect([t.get(undefined, 1), t.get(undefined, 2), t.size]).toEqual([undefined, { image: '/b', commandLine: 'b' }, 1]);
  });

  it('stores a command line as long as the whole budget, and the empty one', () => {
    const t = new ProcessTable(10, 100);
    const long = 'x\ud83d\ude00'.repeat(33) + 'y'; // 100 units, pairs across block edges
    t.set(undefined, 1, { commandLine: long });
    t.set(undefined, 2, { image: '/e', commandLine: '' });
    expect([t.get(undefined, 1), t.get(undefined, 2), t.size]).toEqual([{ commandLine: long }, { image: '/e', commandLine: '' }, 2]);
    expect(t.get(undefined, 2)?.commandLine).toBe('');
    expect(t.get(undefined, 1)?.image).toBeUndefined();
  });

  it('gives a pid reused after its exit only what the new process runs', () => {
    const t = new ProcessTable();
    t.set('h', 7, { image: '/usr/bin/node', commandLine: 'node a.js' });
    t.exit('h', 7);
    t.exit('h', 7); // twice: harmless
    expect([t.get('h', 7), t.size]).toEqual([undefined, 0]);
    t.observe('h', 7, { image: '/bin/sh' });
    expect(t.get('h', 7)).toEqual({ image: '/bin/sh' });
    expect(t.get('h', 7)?.commandLine).toBeUndefined();
    t.set('h', 7, { image: '/bin/ls', commandLine: 'ls -l' });
    expect([t.get('h', 7), t.size]).toEqual([{ image: '/bin/ls', commandLine: 'ls -l' }, 1]);
  });

  it('keeps a pid with a host apart from the same pid without one (and on another host)', () => {
    const t = new ProcessTable();
    t.set(undefined, 42, { image: '/none' });
    t.set('a', 42, { image: '/a' });
    t.set('b', 42, { image: '/b' });
    t.exit('a', 42);
    expect([t.get(undefined, 42)?.image, t.get('a', 42), t.get('b', 42)?.image, t.get('c', 42), t.size]).toEqual(['/none', undefined, '/b', undefined, 2]);
    t.set('a', 42, { image: '/a2' }); // the host's id was given back with its last entry, and taken again
    expect([t.get('a', 42)?.image, t.get('b', 42)?.image, t.get(undefined, 42)?.image]).toEqual(['/a2', '/b', '/none']);
  });

  it('handles pids beyond 32 bits and colliding hashes', () => {
    const t = new ProcessTable(100);
    const pids = [0, 2 ** 32, 2 ** 40, 2 ** 53 - 1, 4_194_304, 1e21, 12345678901234];
    pids.forEach((pid, i) => t.set(undefined, pid, { image: `/p${i}` }));
    expect(pids.map((pid) => t.get(undefined, pid)?.image)).toEqual(pids.map((_, i) => `/p${i}`));
    t.exit(undefined, 2 ** 32);
    expect([t.get(undefined, 0)?.image, t.get(undefined, 2 ** 32), t.get(undefined, 2 ** 40)?.image]).toEqual(['/p0', undefined, '/p2']);
  });

  it('returns strings that are equal to, not slices of, what it was given', () => {
    const line = 'type=EXECVE exe="/usr/bin/x" cmd="x \ud800 y"';
    const t = new ProcessTable();
    t.set(line.slice(0, 4), 1, { image: line.slice(17, 27), commandLine: line.slice(34, 39) });
    expect(t.get('type', 1)).toEqual({ image: '/usr/bin/x', commandLine: 'x \ud800 y' });
  });
});
