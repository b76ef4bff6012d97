import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { NormalizedEvent } from '../events/event.js';
import { HostResolver } from '../sensor/resolver.js';
import { WatchProcessor } from '../sensor/watch/processor.js';

/**
 * The watch sensor on a day of a whole machine, replayed (issue 25 §4): audit records as auditd's
 * af_unix plugin writes them, generated — 2 processes a second for a day, each a fork, an exec
 * and (for half of them) an exit; every 500th an npm install whose postinstall runs curl and
 * writes a file. Half the processes end without a record of their end (killed by a signal), more
 * than the watch's process cap, so the replay reaches its steady state. Reported: CPU per 1,000
 * records, and the heap after the replay. `node dist/bench/watch.js` runs it alone.
 */
export const KEY = 'supplywatch-watch-0123456789';
const DAY_START = 1_796_600_000;
/** 2 processes a second for a day. */
export const PROCESSES = 172_800;
/** By then the builder holds as many killed processes as it keeps (MAX_TREE_PROCESSES). */
export const SETTLED = 140_000;
/** Every 500th process starts an npm install: node → sh → curl, and a file write. */
export const INSTALL_EVERY = 500;

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
export function processRecords(i: number): string {
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


/** Record lines in a text (EOE lines included: auditd sends them as records). */
function recordsIn(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

export function watchReplay(): string {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const processor = new WatchProcessor(KEY, { host: 'h', userOf: (u) => u }, new HostResolver(new Map()), () => undefined);
  const out: NormalizedEvent[] = [];
  let records = 0;
  let cpu = 0;
  const chunk: string[] = [];
  const feed = () => {
    const text = chunk.join('');
    chunk.length = 0;
    records += recordsIn(text);
    const start = process.cpuUsage();
    processor.feed(text, out);
    const used = process.cpuUsage(start);
    cpu += (used.user + used.system) / 1e6;
    out.length = 0;
  };
  for (let i = 0; i < PROCESSES; i++) {
    chunk.push(processRecords(i));
    if (chunk.length === 200) feed();
  }
  feed();
  gc();
  const heap = process.memoryUsage().heapUsed / 2 ** 20;
  return `watch, a day replayed (${PROCESSES.toLocaleString('en')} processes, ${records.toLocaleString('en')} records): ${((cpu / records) * 1000 * 1000).toFixed(1)} ms of CPU per 1,000 records (${cpu.toFixed(2)} s), heap after the day ${heap.toFixed(0)} MB, ${processor.builder.table.size.toLocaleString('en')} processes known`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(watchReplay() + '\n');
