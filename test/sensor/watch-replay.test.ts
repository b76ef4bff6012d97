import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { MAX_TREE_PROCESSES } from '../../src/sensor/audit/event-builder.js';
import { HostResolver } from '../../src/sensor/resolver.js';
import { WatchProcessor } from '../../src/sensor/watch/processor.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const KEY = 'supplywatch-watch-0123456789';
const DAY_START = 1_796_600_000;
/** 2 processes a second for a day. */
const PROCESSES = 172_800;
/** By then the builder holds as many killed processes as it keeps (MAX_TREE_PROCESSES). */
const SETTLED = 140_000;
/** Every 500th process starts an npm install: node → sh → curl, and a file write. */
const INSTALL_EVERY = 500;

let serial = 0;
const rec = (time: number, body: string[]) => {
  serial += 1;
  const head = `msg=audit(${time.toFixed(3)}:${serial}):`;
  return body.map((b) => b.replace('MSG', head)).join('\n') + `\ntype=EOE ${head} \n`;
};
const sys = (nr: number, pid: number, ppid: number, exe: string, extra = '') =>
  `type=SYSCALL MSG arch=c000003e syscall=${nr} success=yes ${extra} items=0 ppid=${ppid} pid=${pid} auid=0 uid=0 gid=0 ses=3 comm="x" exe="${exe}" key="${KEY}"`;
const fork = (t: number, parent: number, grandparent: number, child: number, exe: string) => rec(t, [sys(57, parent, grandparent, exe, `exit=${child}`)]);
const exec = (t: number, pid: number, ppid: number, exe: string, argv: string[]) =>
  rec(t, [
    sys(59, pid, ppid, exe, 'exit=0'),
    `type=EXECVE MSG argc=${argv.length} ${argv.map((a, i) => `a${i}="${a}"`).join(' ')}`,
    'type=CWD MSG cwd="/srv/app"',
    `type=PATH MSG item=0 name="${exe}" nametype=NORMAL`,
  ]);
const exit = (t: number, pid: number, ppid: number, exe: string) => rec(t, [sys(231, pid, ppid, exe)]);

/** One process of the day (and, for some, an install tree); pids wrap at 4 Mi as on a busy host. */
function processRecords(i: number): string {
  const t = DAY_START + i / 2;
  const pid = 1000 + ((i * 7) % 4_000_000);
  let text = fork(t, 900, 1, pid, '/usr/bin/bash') + exec(t, pid, 900, '/usr/bin/cron-job', ['cron-job', String(i)]);
  if (i % INSTALL_EVERY === 0) {
    const sh = pid + 1;
    const curl = pid + 2;
    text = fork(t, 900, 1, pid, '/usr/bin/bash') + exec(t, pid, 900, '/usr/bin/npm', ['npm', 'install']);
    text += fork(t, pid, 900, sh, '/usr/bin/node') + exec(t, sh, pid, '/usr/bin/sh', ['sh', '-c', 'curl x']);
    text += fork(t, sh, pid, curl, '/usr/bin/sh') + exec(t, curl, sh, '/usr/bin/curl', ['curl', 'x']);
    text += rec(t, [sys(257, curl, sh, '/usr/bin/curl', 'exit=3 a0=ffffff9c a1=1 a2=241'), 'type=CWD MSG cwd="/srv/app"', 'type=PATH MSG item=0 name="/srv/app/x.sh" nametype=CREATE']);
    text += exit(t, curl, sh, '/usr/bin/curl') + exit(t, sh, pid, '/usr/bin/sh');
  }
  // Half end with exit_group; the others are killed by a signal (no record of their end), more
  // than the builder's cap over the day.
  if (i % 2 === 0) text += exit(t, pid, 900, i % INSTALL_EVERY === 0 ? '/usr/bin/npm' : '/usr/bin/cron-job');
  return text;
}

describe('watch: a day of the whole machine replayed', () => {
  it('keeps only the package managers’ trees, and its memory flat', () => {
    const processor = new WatchProcessor(KEY, { host: 'h', userOf: (u) => u }, new HostResolver(new Map()), (b) => {
      throw new Error(`bad record: ${b.reason}`);
    });
    const kept: NormalizedEvent[] = [];
    let keptCount = 0;
    const heapAt: number[] = [];
    const chunk: string[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      chunk.push(processRecords(i));
      if (chunk.length === 200) {
        processor.feed(chunk.join(''), kept);
        chunk.length = 0;
        keptCount += kept.length;
        kept.length = 0;
      }
      if (i === SETTLED || i === PROCESSES - 1) {
        gc();
        heapAt.push(process.memoryUsage().heapUsed);
      }
    }
    processor.feed(chunk.join(''), kept);
    processor.end(kept);
    keptCount += kept.length;
    const installs = Math.ceil(PROCESSES / INSTALL_EVERY);
    // npm's exec, sh's, curl's, and curl's file write: nothing of the cron jobs.
    expect(keptCount).toBe(installs * 4);
    expect(processor.outside).toBe(PROCESSES - installs);
    // Killed processes never say they ended: the tree is capped at its bound; every install ended.
    expect(processor.builder.table.size).toBe(MAX_TREE_PROCESSES);
    expect(processor.trees.size).toBe(0);
    // The rest of the day, once the cap is reached, adds no memory to speak of.
    expect(heapAt[1]! - heapAt[0]!).toBeLessThan(8 * 2 ** 20);
    // And what it holds is small: no record text is kept alive by the strings of the tree (with
    // substrings instead of copies, 139 MB here; 26 MB with copies, the test runner included).
    expect(heapAt[1]!).toBeLessThan(64 * 2 ** 20);
  }, 120_000);
});
