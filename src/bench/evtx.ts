/**
 * EVTX rows of `npm run bench` (issue 3 §5), on the real corpus in ../shared/corpus/real:
 * - records per CPU second of the native reader (in-process, one core) against `evtxexport -f
 *   xml` (Debian libevtx-utils) on the same files, its per-file process start-up left out (as
 *   Node's is); target ≥ 10×;
 * - memory: `supplywatch scan --rules seed` peak RSS on the corpus and on a large file made of the
 *   corpus chunks repeated (chunks are independent, so the copy is valid EVTX): flat = alike;
 * - a full scan of the EVTX corpus with every SigmaHQ Windows rule, `--threads 2`.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { evtxReader } from '../sources/evtx.js';
import { crc32 } from '../sources/evtx/crc32.js';
import { runCliTimed } from './cli-run.js';
import { warmPageCache } from './warm.js';

const CHUNK = 65536;
const HEADER = 4096;
/** The large file of repeated corpus chunks: memory-flatness scan, and steady-state reader speed. */
const LARGE_BYTES = 256e6;

/** The .evtx files under a folder, in name order (the hunt group reads the same collection). */
export function evtxFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...evtxFiles(path));
    else if (entry.name.toLowerCase().endsWith('.evtx')) out.push(path);
  }
  return out;
}

interface Rate {
  records: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** CPU seconds (user + system): what "on one core" means on a shared, loaded machine. */
  cpu: number;
}

const newRate = (): Rate => ({ records: 0, seconds: 0, cpu: 0 });

/** Read every file once with the native reader, in this process (one core). */
async function nativePass(files: string[], rate: Rate): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const file of files) {
    for await (const batch of evtxReader.read(createReadStream(file, { highWaterMark: 1 << 20 }), { file, bad: () => {} })) rate.records += batch.length;
  }
  const used = process.cpuUsage(cpu);
  rate.cpu += (used.user + used.system) / 1e6;
  rate.seconds += (performance.now() - started) / 1000;
}

/** Records evtxexport prints for each file (counted as its output streams by, never held whole). */
function evtxexportRecords(files: string[]): number | string {
  let records = 0;
  for (const file of files) {
    const script = 'set -o pipefail; evtxexport -f xml "$1" | grep -c "<Event xmlns"';
    const run = spawnSync('bash', ['-c', script, 'evtxexport-count', file], { encoding: 'utf8' });
    if (run.error || run.status !== 0) return `evtxexport failed or absent (${run.error?.message ?? run.stderr.trim()}); install libevtx-utils`;
    records += Number(run.stdout.trim());
  }
  return records;
}

/** `evtxexport -f xml` once per file, output to /dev/null; CPU seconds of the runs (the shell's `times`). */
function evtxexportCpu(files: string[]): number {
  const script = 'for f in "$@"; do evtxexport -f xml "$f" >/dev/null; done; times';
  const run = spawnSync('bash', ['-c', script, 'evtxexport-pass', ...files], { encoding: 'utf8' });
  // `times` prints the shell's user/system time, then its children's: "0m0.081s 0m0.012s".
  const children = run.stdout.trim().split('\n')[1] ?? '';
  let cpu = 0;
  for (const [, min, sec] of children.matchAll(/(\d+)m([\d.]+)s/g)) cpu += Number(min) * 60 + Number(sec);
  return cpu;
}

/**
 * One evtxexport pass over the files. Its CPU time counts the start-up of one process per file
 * (exec, dynamic linking: ~1.5 ms, a seventh of the corpus pass); the native reader's excludes
 * Node's start-up. For a like-for-like reader time, `startup` gets the CPU time of as many runs
 * on a file of just the header (no records), which the ratio subtracts.
 */
function evtxexportPass(files: string[], empty: string, records: number, rate: Rate, startup: { cpu: number }): void {
  const started = performance.now();
  rate.cpu += evtxexportCpu(files);
  rate.seconds += (performance.now() - started) / 1000;
  rate.records += records;
  startup.cpu += evtxexportCpu(files.map(() => empty));
}

/**
 * Both readers over the same files, passes interleaved so that load from other processes on a
 * shared machine weighs on both alike.
 */
async function compareReaders(files: string[], passes: number, dataDir: string): Promise<{ native: Rate; reference: Rate | string; startup: number }> {
  const native = newRate();
  const reference = newRate();
  const startup = { cpu: 0 };
  for (const file of files) await warmPageCache(file);
  const records = evtxexportRecords(files);
  if (typeof records === 'string') return { native, reference: records, startup: 0 };
  const empty = headerOnly(files[0], dataDir);
  await nativePass(files, newRate()); // warm-up: JIT
  for (let pass = 0; pass < passes; pass++) {
    evtxexportPass(files, empty, records, reference, startup);
    for (let i = 0; i < 4; i++) await nativePass(files, native);
  }
  return { native, reference, startup: startup.cpu };
}

/** A valid EVTX file without records: `file`'s header alone (evtxexport: "No records to export"). */
function headerOnly(file: string, dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'evtx-header-only.evtx');
  const header = Buffer.alloc(HEADER);
  const fd = openSync(file, 'r');
  readSync(fd, header, 0, HEADER, 0);
  closeSync(fd);
  writeFileSync(path, header);
  return path;
}

/**
 * A large EVTX file: the first file's header, then the chunks of every corpus file, repeated.
 * The header is rewritten to count them all (first/last chunk number, chunk count, CRC-32):
 * evtxexport reads only the chunks a header counts.
 */
async function largeFile(files: string[], dataDir: string, targetBytes: number): Promise<string> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, `evtx-corpus-repeated-v2-${Math.round(targetBytes / 1e6)}MB.evtx`);
  if (existsSync(path)) return path;
  const chunks: Buffer[] = [];
  let header: Buffer | undefined;
  for (const file of files) {
    const fd = openSync(file, 'r');
    const size = statSync(file).size;
    header ??= Buffer.alloc(HEADER);
    if (chunks.length === 0) readSync(fd, header, 0, HEADER, 0);
    for (let at = HEADER; at + CHUNK <= size; at += CHUNK) {
      const chunk = Buffer.alloc(CHUNK);
      readSync(fd, chunk, 0, CHUNK, at);
      if (chunk.toString('latin1', 0, 7) === 'ElfChnk') chunks.push(chunk);
    }
    closeSync(fd);
  }
  if (header === undefined || chunks.length === 0) throw new Error('no EVTX chunks in the corpus');
  const count = Math.ceil((targetBytes - HEADER) / CHUNK);
  header.writeBigUInt64LE(0n, 8);
  header.writeBigUInt64LE(BigInt(count - 1), 16);
  header.writeUInt16LE(count, 42);
  header.writeUInt32LE(crc32(header, 0, 120), 124);
  const out = createWriteStream(path);
  out.write(header);
  for (let i = 0; i < count; i++) {
    if (!out.write(chunks[i % chunks.length])) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

/**
 * Both readers once over one large file, CPU-rated: steady-state reading, where the corpus
 * passes (24 files, 1,257 records) mostly measure V8 compiling the reader. The native reader runs
 * in a fresh process (`--read`), so its figure includes the JIT warm-up; evtxexport's one
 * start-up is negligible here.
 */
async function largeFileRow(file: string): Promise<string> {
  await warmPageCache(file);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--read', file], { encoding: 'utf8' });
  if (child.status !== 0) return `(native reader failed on ${file}: ${child.stderr.trim()})`;
  const native = JSON.parse(child.stdout) as Rate;
  const records = evtxexportRecords([file]);
  if (typeof records === 'string') return `(${records})`;
  const reference = newRate();
  evtxexportPass([file], headerOnly(file, dirname(file)), records, reference, { cpu: 0 });
  const ratio = native.records / native.cpu / (reference.records / reference.cpu);
  return fmt(
    `native reader, ${(statSync(file).size / 1e6).toFixed(0)} MB file, 1 pass`,
    native.records,
    native.seconds,
    `${Math.round(native.records / native.cpu)} rec/s of CPU: ${ratio.toFixed(1)}× evtxexport's ${Math.round(reference.records / reference.cpu)} (target ≥ 10×)`,
  );
}

const fmt = (name: string, records: number, seconds: number, extra: string) =>
  [name.padEnd(44), String(records).padStart(9), seconds.toFixed(2).padStart(8), Math.round(records / seconds).toString().padStart(9), extra].join('  ');

const HEAD = (files: string[]) => ['', `EVTX (${files.length} corpus files)`.padEnd(44) + '  ' + ['records', 'seconds', 'rec/s'].map((h, i) => h.padStart([9, 8, 9][i])).join('  ')];

/** The reader rows: native reader against evtxexport, same files, CPU-rated. */
async function readerRows(files: string[], dataDir: string): Promise<string[]> {
  const lines: string[] = [];
  const passes = 5;
  const { native, reference, startup } = await compareReaders(files, passes, dataDir);
  const cpuRate = (r: Rate) => Math.round(r.records / r.cpu);
  if (typeof reference === 'string') {
    lines.push(fmt(`native reader, 1 core, ${passes * 4} passes`, native.records, native.seconds, `${cpuRate(native)} rec/s of CPU`), `(${reference})`);
  } else {
    const nativeRate = native.records / native.cpu;
    const readerCpu = reference.cpu - startup;
    const ratio = nativeRate / (reference.records / readerCpu);
    const withStartup = nativeRate / (reference.records / reference.cpu);
    const wallRatio = native.records / native.seconds / (reference.records / reference.seconds);
    lines.push(
      fmt(`evtxexport -f xml, ${passes} passes`, reference.records, reference.seconds, `${Math.round(reference.records / readerCpu)} rec/s of CPU (${cpuRate(reference)} with process start-ups)`),
    );
    lines.push(
      fmt(
        `native reader, 1 core, ${passes * 4} passes`,
        native.records,
        native.seconds,
        `${cpuRate(native)} rec/s of CPU: ${ratio.toFixed(1)}× evtxexport (target ≥ 10×; ${withStartup.toFixed(1)}× counting its start-ups; wall ${wallRatio.toFixed(1)}×)`,
      ),
    );
  }
  lines.push(await largeFileRow(await largeFile(files, dataDir, LARGE_BYTES)));
  return lines;
}

export async function evtxRows(root: string, cliPath: string, dataDir: string): Promise<string[]> {
  const corpus = resolve(root, '..', 'shared', 'corpus', 'real');
  if (!existsSync(corpus)) return [`(EVTX corpus absent at ${corpus}: EVTX rows skipped)`];
  const files = evtxFiles(corpus);
  const lines = [...HEAD(files), ...(await readerRows(files, dataDir))];
  const seed = ['--rules', 'seed', '--format', 'jsonl', '--threads', '1'];
  const small = runCliTimed(cliPath, ['scan', ...files, ...seed]);
  const big = await largeFile(files, dataDir, LARGE_BYTES);
  await warmPageCache(big);
  const large = runCliTimed(cliPath, ['scan', big, ...seed]);
  lines.push(fmt('scan corpus --rules seed, 1 thread', small.events, small.seconds, `peak ${small.peakMb} MB`));
  lines.push(fmt(`scan ${(statSync(big).size / 1e6).toFixed(0)} MB of repeated chunks, seed`, large.events, large.seconds, `peak ${large.peakMb} MB (flat: ≈ corpus row)`));
  const rules = resolve(root, '..', 'shared', 'sigmahq', 'rules', 'windows');
  if (existsSync(rules)) {
    const scan = runCliTimed(cliPath, ['scan', ...files, '--rules', rules, '--format', 'jsonl', '--threads', '2']);
    lines.push(fmt(`scan corpus, all SigmaHQ windows rules, 2 thr`, scan.events, scan.seconds, `${scan.alerts} alerts, peak ${scan.peakMb} MB`));
  }
  return lines;
}

// `node dist/bench/evtx.js`: the reader rows alone (no scans), e.g. while tuning the reader;
// `node dist/bench/evtx.js --read FILE`: one native pass over FILE, its Rate as JSON (largeFileRow).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--read' && process.argv[3] !== undefined) {
    const rate = newRate();
    await nativePass([process.argv[3]], rate);
    process.stdout.write(JSON.stringify(rate));
  } else {
    const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const files = evtxFiles(resolve(root, '..', 'shared', 'corpus', 'real'));
    for (const line of [...HEAD(files), ...(await readerRows(files, join(root, 'bench-data')))]) console.log(line);
  }
}
