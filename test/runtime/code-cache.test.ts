import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';

/**
 * The command compiles its bundle with V8's code cache (runtime/cached-start.ts). V8 rejects a
 * cache whose stamp differs (its version, the flags, the source's length), and a rejected or
 * absent cache is made again at exit: a cache file left untouched by a run is one V8 took.
 */
const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function cacheHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'sw-code-cache-'));
  homes.push(home);
  return home;
}

function codeCaches(home: string): string[] {
  try {
    return readdirSync(join(home, 'supplywatch')).filter((n) => n.startsWith('code-')).sort();
  } catch {
    return [];
  }
}

const SAMPLE = `${REPO}samples/sysmon-npm-install.ndjson`;
const scan = (home: string, ...more: string[]) => runCli(['scan', SAMPLE, '--rules', 'hardened', '--format', 'jsonl', ...more], undefined, { XDG_CACHE_HOME: home });

describe('code cache (runtime/cached-start.ts)', () => {
  it('is made by the first run of a command and taken as it is by the next, with the same output', async () => {
    const home = cacheHome();
    const first = await scan(home);
    expect(first.status).toBe(1);
    const [file] = codeCaches(home);
    expect(codeCaches(home)).toEqual([expect.stringMatching(/^code-[0-9a-f]{32}-scan\.bin$/)]);
    const made = readFileSync(join(home, 'supplywatch', file!));
    const madeAt = statSync(join(home, 'supplywatch', file!)).mtimeMs;
    const second = await scan(home);
    expect(second.stdout).toBe(first.stdout);
    expect(codeCaches(home)).toEqual([file]);
    expect(statSync(join(home, 'supplywatch', file!)).mtimeMs).toBe(madeAt);
    expect(readFileSync(join(home, 'supplywatch', file!)).equals(made)).toBe(true);
    // Each command has its own.
    expect((await runCli(['dump', SAMPLE], undefined, { XDG_CACHE_HOME: home })).status).toBe(0);
    expect(codeCaches(home)).toEqual([expect.stringMatching(/-dump\.bin$/), file].sort());
  });

  it('is taken after a scan that changed V8 flags at run time (workers on every core)', async () => {
    // 260 small files: work enough for `--threads 2` to start a worker (parallel/threads.ts).
    const inputs = mkdtempSync(join(tmpdir(), 'sw-code-cache-inputs-'));
    homes.push(inputs);
    const line = readFileSync(SAMPLE, 'utf8').split('\n')[0]!;
    for (let i = 0; i < 260; i += 1) writeFileSync(join(inputs, `${String(i).padStart(3, '0')}.ndjson`), `${line}\n`);
    const home = cacheHome();
    const threaded = (await runCli(['scan', inputs, '--rules', 'seed', '--threads', '2'], undefined, { XDG_CACHE_HOME: home })).stderr;
    expect(threaded).toMatch(/^threads: 2$/m);
    const [file] = codeCaches(home);
    const madeAt = statSync(join(home, 'supplywatch', file!)).mtimeMs;
    await runCli(['scan', inputs, '--rules', 'seed', '--threads', '2'], undefined, { XDG_CACHE_HOME: home });
    expect(statSync(join(home, 'supplywatch', file!)).mtimeMs).toBe(madeAt);
  });

  it('made again when V8 rejects it, output unchanged; the newest four of a command kept', async () => {
    const home = cacheHome();
    const clean = await scan(home);
    const [file] = codeCaches(home);
    const path = join(home, 'supplywatch', file!);
    // Other builds' caches, the oldest first.
    const others = ['0', '1', '2', '3'].map((d, i) => {
      const other = join(home, 'supplywatch', `code-${d.repeat(32)}-scan.bin`);
      writeFileSync(other, 'another build');
      utimesSync(other, 1_000_000 + i, 1_000_000 + i);
      return other;
    });
    writeFileSync(join(home, 'supplywatch', `code-${'4'.repeat(32)}-dump.bin`), 'another command');
    writeFileSync(path, Buffer.alloc(statSync(path).size, 7));
    const again = await scan(home);
    expect(again.stdout).toBe(clean.stdout);
    expect(readFileSync(path).every((b) => b === 7)).toBe(false);
    expect(codeCaches(home)).toEqual([...others.slice(1).map((o) => o.slice(o.lastIndexOf('/') + 1)), `code-${'4'.repeat(32)}-dump.bin`, file].sort());
  });

  it('is one per set of node options: runs with and without them keep their own', async () => {
    const home = cacheHome();
    await scan(home);
    const withOption = () => runCli(['scan', SAMPLE, '--rules', 'hardened', '--format', 'jsonl'], undefined, { XDG_CACHE_HOME: home, NODE_OPTIONS: '--max-semi-space-size=8' });
    await withOption();
    const files = codeCaches(home);
    expect(files).toHaveLength(2);
    const times = files.map((f) => statSync(join(home, 'supplywatch', f)).mtimeMs);
    await scan(home);
    await withOption();
    expect(files.map((f) => statSync(join(home, 'supplywatch', f)).mtimeMs)).toEqual(times);
  });

  it('is neither read nor written with --no-cache, nor made where the cache folder cannot be', async () => {
    const home = cacheHome();
    const plain = await scan(home, '--no-cache');
    expect(codeCaches(home)).toEqual([]);
    // A file where the folder would be: no cache, the same scan.
    const blocked = cacheHome();
    writeFileSync(join(blocked, 'supplywatch'), '');
    const unwritable = await scan(blocked);
    expect(unwritable.stdout).toBe(plain.stdout);
    expect(unwritable.status).toBe(1);
  });

  it('compiles bundles of ASCII only, which V8 keeps as one byte per character', () => {
    // One character beyond ASCII makes a whole source (the command's is 2.3 MB) a two-byte
    // string, decoded as UTF-8 at every start (scripts/bundle.mjs escapes what esbuild leaves).
    const files = readdirSync(`${REPO}dist/bin`).filter((name) => /\.c?js$/.test(name));
    expect(files).toEqual(expect.arrayContaining(['cli.cjs', 'supplywatch.js', 'worker.js']));
    for (const name of files) {
      const bundle = readFileSync(`${REPO}dist/bin/${name}`);
      const beyond = bundle.findIndex((byte) => byte > 0x7f);
      expect(beyond === -1 ? '' : `${name}: ${bundle.subarray(Math.max(0, beyond - 60), beyond + 20).toString('utf8')}`).toBe('');
    }
  });
});
