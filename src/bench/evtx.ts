/**
 * EVTX rows of `npm run bench` (issue 3 §5), on the real corpus in ../shared/corpus/real:
 * - records/s of the native reader (in-process, one core) against `evtxexport -f xml` (Debian
 *   libevtx-utils) on the same files; target ≥ 10×;
 * - memory: `supplywatch scan --rules seed` peak RSS on the corpus and on a large file made of the
 *   corpus chunks repeated (chunks are independent, so the copy is valid EVTX): flat = alike;
 * - a full scan of the EVTX corpus with every SigmaHQ Windows rule, `--threads 2`.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readSync, closeSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { evtxReader } from '../sources/evtx.js';
import { runCliTimed } from './cli-run.js';

const CHUNK = 65536;
const HEADER = 4096;

function evtxFiles(dir: string): string[] {
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

/** Records evtxexport prints for each file (its output is read once, to count them). */
function evtxexportRecords(files: string[]): number | string {
  let records = 0;
  for (const file of files) {
    const run = spawnSync('evtxexport', ['-f', 'xml', file], { encoding: 'utf8', maxBuffer: 512 << 20 });
    if (run.error || run.status !== 0) return `evtxexport failed or absent (${run.error?.message ?? run.stderr}); install libevtx-utils`;
    records += run.stdout.split('<Event xmlns').length - 1;
  }
  return records;
}

/** `evtxexport -f xml` once over every file, output to /dev/null; its CPU time from the shell's `times`. */
function evtxexportPass(files: string[], records: number, rate: Rate): void {
  const started = performance.now();
  const script = 'for f in "$@"; do evtxexport -f xml "$f" >/dev/null; done; times';
  const run = spawnSync('bash', ['-c', script, 'evtxexport-pass', ...files], { encoding: 'utf8' });
  rate.seconds += (performance.now() - started) / 1000;
  // `times` prints the shell's user/system time, then its children's: "0m0.081s 0m0.012s".
  const children = run.stdout.trim().split('\n')[1] ?? '';
  for (const [, min, sec] of children.matchAll(/(\d+)m([\d.]+)s/g)) rate.cpu += Number(min) * 60 + Number(sec);
  rate.records += records;
}

/**
 * Both readers over the same files, passes interleaved so that load from other processes on a
 * shared machine weighs on both alike.
 */
async function compareReaders(files: string[], passes: number): Promise<{ native: Rate; reference: Rate | string }> {
  const native = newRate();
  const reference = newRate();
  const records = evtxexportRecords(files);
  if (typeof records === 'string') return { native, reference: records };
  await nativePass(files, newRate()); // warm-up: JIT
  for (let pass = 0; pass < passes; pass++) {
    evtxexportPass(files, records, reference);
    for (let i = 0; i < 4; i++) await nativePass(files, native);
  }
  return { native, reference };
}

/** A large EVTX file: the first file's header, then the chunks of every corpus file, repeated. */
async function largeFile(files: string[], dataDir: string, targetBytes: number): Promise<string> {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, `evtx-corpus-repeated-${Math.round(targetBytes / 1e6)}MB.evtx`);
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
  const out = createWriteStream(path);
  out.write(header);
  for (let written = HEADER, i = 0; written < targetBytes; written += CHUNK, i++) {
    if (!out.write(chunks[i % chunks.length])) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

const fmt = (name: string, records: number, seconds: number, extra: string) =>
  [name.padEnd(44), String(records).padStart(9), seconds.toFixed(2).padStart(8), Math.round(records / seconds).toString().padStart(9), extra].join('  ');

export async function evtxRows(root: string, cliPath: string, dataDir: string): Promise<string[]> {
  const corpus = resolve(root, '..', 'shared', 'corpus', 'real');
  if (!existsSync(corpus)) return [`(EVTX corpus absent at ${corpus}: EVTX rows skipped)`];
  const files = evtxFiles(corpus);
  const lines = ['', `EVTX (${files.length} corpus files)`.padEnd(44) + '  ' + ['records', 'seconds', 'rec/s'].map((h, i) => h.padStart([9, 8, 9][i])).join('  ')];
  const passes = 5;
  const { native, reference } = await compareReaders(files, passes);
  const cpuRate = (r: Rate) => Math.round(r.records / r.cpu);
  if (typeof reference === 'string') {
    lines.push(fmt(`native reader, 1 core, ${passes * 4} passes`, native.records, native.seconds, `${cpuRate(native)} rec/s of CPU`), `(${reference})`);
  } else {
    const ratio = native.records / native.cpu / (reference.records / reference.cpu);
    const wallRatio = native.records / native.seconds / (reference.records / reference.seconds);
    lines.push(fmt(`evtxexport -f xml, ${passes} passes`, reference.records, reference.seconds, `${cpuRate(reference)} rec/s of CPU`));
    lines.push(
      fmt(`native reader, 1 core, ${passes * 4} passes`, native.records, native.seconds, `${cpuRate(native)} rec/s of CPU: ${ratio.toFixed(1)}× evtxexport (target ≥ 10×; wall ${wallRatio.toFixed(1)}×)`),
    );
  }
  const seed = ['--rules', 'seed', '--format', 'jsonl', '--threads', '1'];
  const small = runCliTimed(cliPath, ['scan', ...files, ...seed]);
  const big = await largeFile(files, dataDir, 256e6);
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
