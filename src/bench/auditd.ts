/**
 * auditd row of `npm run bench` (issue 4 §5): parsing throughput of the auditd reader in events/s
 * on a generated raw audit.log of 1,000,000 records, and its peak RSS beside the peaks on the same
 * log at 250,000 and 4,000,000 records: memory is flat when the three are alike (the reader holds
 * at most MAX_OPEN_EVENTS open events and a process table capped at MAX_PROCESSES, never the input).
 *
 * The log cycles through three events with realistic records (17 records per cycle): an execve
 * (SYSCALL, EXECVE, CWD, 2 PATH, hex PROCTITLE, EOE), a non-blocking connect (SYSCALL, SOCKADDR,
 * PROCTITLE, EOE) and a file creation (SYSCALL, CWD, 2 PATH, PROCTITLE, EOE). Each cycle is a new
 * pid whose parent is the previous cycle's (so the parent fields are filled) and no process exits,
 * as on a host with a large pid_max: the worst case for the process table, which reaches its cap
 * (65,536) between 1M and 4M records. Each size is measured in a child process of its own
 * (`node dist/bench/auditd.js FILE`, RUNS times), so the RSS is the reader's alone.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditdReader } from '../sources/auditd.js';
import { READ_CHUNK_BYTES } from '../sources/open.js';
import { median } from './median.js';
import { warmPageCache } from './warm.js';

const RECORDS_PER_CYCLE = 17;

function cycle(i: number): string {
  const t = `${1_700_000_000 + Math.floor(i / 10)}.${String(i % 1000).padStart(3, '0')}`;
  const pid = 1000 + i;
  const ppid = 999 + i;
  const head = (serial: number) => `msg=audit(${t}:${serial}):`;
  const s = i * 3;
  const common = `ppid=${ppid} pid=${pid} auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=4`;
  const title = Buffer.from(`node\0/usr/lib/node_modules/npm/bin/npm-cli.js\0install\0pkg-${i % 97}`).toString('hex').toUpperCase();
  return [
    `type=SYSCALL ${head(s)} arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=8 items=2 ${common} comm="node" exe="/usr/bin/node" key="exec"`,
    `type=EXECVE ${head(s)} argc=4 a0="node" a1="/usr/lib/node_modules/npm/bin/npm-cli.js" a2="install" a3="pkg-${i % 97}"`,
    `type=CWD ${head(s)} cwd="/home/dev/project-${i % 13}"`,
    `type=PATH ${head(s)} item=0 name="/usr/bin/node" inode=1234 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
    `type=PATH ${head(s)} item=1 name="/lib64/ld-linux-x86-64.so.2" inode=29514 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
    `type=PROCTITLE ${head(s)} proctitle=${title}`,
    `type=EOE ${head(s)} `,
    `type=SYSCALL ${head(s + 1)} arch=c000003e syscall=42 success=no exit=-115 a0=14 a1=7ffd a2=10 a3=0 items=0 ${common} comm="node" exe="/usr/bin/node" key="net"`,
    `type=SOCKADDR ${head(s + 1)} saddr=020001BB68101${(i % 10).toString()}220000000000000000`,
    `type=PROCTITLE ${head(s + 1)} proctitle=${title}`,
    `type=EOE ${head(s + 1)} `,
    `type=SYSCALL ${head(s + 2)} arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd a2=241 a3=1b6 items=2 ${common} comm="node" exe="/usr/bin/node" key="write"`,
    `type=CWD ${head(s + 2)} cwd="/home/dev/project-${i % 13}"`,
    `type=PATH ${head(s + 2)} item=0 name="node_modules/pkg-${i % 97}/" inode=7 dev=08:01 mode=040755 ouid=1000 ogid=1000 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
    `type=PATH ${head(s + 2)} item=1 name="node_modules/pkg-${i % 97}/index-${i}.js" inode=8 dev=08:01 mode=0100644 ouid=1000 ogid=1000 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
    `type=PROCTITLE ${head(s + 2)} proctitle=${title}`,
    `type=EOE ${head(s + 2)} `,
  ].join('\n') + '\n';
}

async function writeLog(path: string, records: number): Promise<void> {
  const out = createWriteStream(path);
  const cycles = Math.ceil(records / RECORDS_PER_CYCLE);
  let buffer = '';
  for (let i = 0; i < cycles; i++) {
    buffer += cycle(i);
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

interface Measure {
  events: number;
  bad: number;
  seconds: number;
  peakMb: number;
}

/** Child-process side: read the file with the auditd reader, print the measure as JSON. */
async function measure(path: string): Promise<void> {
  let events = 0;
  let bad = 0;
  const started = performance.now();
  // Read as `scan` reads a file (open.ts): the chunk size decides how long a chunk and its
  // lines live, hence what the young generation promotes.
  const input = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  for await (const batch of auditdReader.read(input, { file: path, bad: () => void bad++ })) events += batch.length;
  const seconds = (performance.now() - started) / 1000;
  const result: Measure = { events, bad, seconds, peakMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  process.stdout.write(JSON.stringify(result) + '\n');
}

/**
 * Runs per size: seconds and peak RSS are the medians (GC timing, hence the peak, varies from run to
 * run, and the bench shares its cores).
 */
const RUNS = 3;

function measureInChild(path: string): Measure {
  const runs = Array.from({ length: RUNS }, () => measureOnce(path));
  return {
    events: runs[0]!.events,
    bad: runs[0]!.bad,
    seconds: median(runs.map((r) => r.seconds)),
    peakMb: median(runs.map((r) => r.peakMb)),
  };
}

function measureOnce(path: string): Measure {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`auditd bench child failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Measure;
}

/** The bench row: 1M records, with the 250k- and 4M-record peaks beside it for the flat-memory check. */
export async function auditdRows(dataDir: string): Promise<string[]> {
  mkdirSync(dataDir, { recursive: true });
  const sizes = [250_000, 1_000_000, 4_000_000];
  const results: Measure[] = [];
  for (const records of sizes) {
    const path = join(dataDir, `auditd-unique-pids-${records}.log`); // not the name of an older generator's log
    if (!existsSync(path)) {
      process.stderr.write(`generating ${records} audit records into ${path}…\n`);
      await writeLog(path, records);
    }
    await warmPageCache(path);
    results.push(measureInChild(path));
  }
  const [small, big, huge] = results as [Measure, Measure, Measure];
  const rate = Math.round(big.events / big.seconds);
  return [
    [
      `auditd parse, 1M records (${big.events} events, ${big.bad} bad)`.padEnd(44),
      String(big.events).padStart(9),
      big.seconds.toFixed(2).padStart(8),
      String(rate).padStart(9),
      ''.padStart(6),
      String(big.peakMb).padStart(8),
      `memory flat: ${small.peakMb} MB at 250k, ${huge.peakMb} MB at 4M records (${Math.round(huge.events / huge.seconds)} events/s; medians of ${RUNS})`,
    ].join('  '),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  measure(process.argv[2]!).catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 2;
  });
}
