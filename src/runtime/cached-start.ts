#!/usr/bin/env node
/**
 * The `supplywatch` command as installed (bundled to dist/bin/supplywatch.js): it compiles the
 * command's bundle (dist/bin/cli.cjs, one CommonJS file) with V8's code cache, and makes the
 * cache at exit when there was none or V8 rejected it. Node 20 compiles each function the first
 * time it runs (parsing, bytecode), at every start: ~100 ms of a hunt's main thread. From the
 * cache V8 takes the bytecode of every function the previous run of the command compiled
 * (what Node 22's `module.enableCompileCache` does for modules) (docs/performance.md#code-cache).
 *
 * `$XDG_CACHE_HOME/supplywatch/code-<digest>-<command>.bin`: the digest of the bundle's bytes,
 * Node's version, the architecture and node's options (V8 checks its own version, the flags and
 * the length of the source, not its content), one file per command (`--version` compiles little
 * of what `scan` runs), the newest few of each command kept. `--no-cache` neither reads nor
 * writes it; a cache that cannot be read or written is no cache, and a cache V8 rejects is
 * compiled without and made again.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { setStartFlags } from './start-flags.js';

const BUNDLE = fileURLToPath(new URL('./cli.cjs', import.meta.url));

/** What the bundle exports for this loader (cli/main.ts). */
interface BundleExports {
  restoreStartFlags?: () => void;
}

// Before the bundle is compiled: the flags' hash is part of the cache's stamp.
setStartFlags();
const { source, cache } = readBundle();
const cachedData = cache && readOrUndefined(cache.file);
const script = new Script(Module.wrap(source), { filename: BUNDLE, cachedData });
const bundle = { exports: {} as BundleExports };
const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
run.call(bundle.exports, bundle.exports, createRequire(BUNDLE), bundle, BUNDLE, dirname(BUNDLE));
if (cache && (cachedData === undefined || script.cachedDataRejected)) {
  process.on('exit', () => {
    // After the command: the cache holds every function it compiled, under the flags of the start.
    bundle.exports.restoreStartFlags?.();
    writeCache(cache, script.createCachedData());
  });
}

/** The bundle's text, and its cache file (its bytes are not kept: 2.3 MB for the whole run). */
function readBundle(): { source: string; cache: ReturnType<typeof codeCache> } {
  const bytes = readFileSync(BUNDLE);
  // The build makes it ASCII (scripts/bundle.mjs): read as Latin-1, the bytes are copied, not decoded.
  const text = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  // A `#!` line is not JavaScript inside the CommonJS wrapper; `//` keeps every offset.
  return { source: text.startsWith('#!') ? `//${text.slice(2)}` : text, cache: codeCache(bytes, process.argv.slice(2)) };
}

/** The cache file of this bundle and command, or undefined with `--no-cache` (before a `--`). */
function codeCache(bundleBytes: Buffer, args: string[]): { file: string; command: string } | undefined {
  const own = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (own.includes('--no-cache')) return undefined;
  const word = own.find((a) => !a.startsWith('-'));
  const command = word !== undefined && /^[a-z][a-z-]{0,31}$/.test(word) ? word : 'none';
  // V8 rejects a cache made under other flags: node's own options are part of the name, so runs
  // with and without them do not make each other's cache again. The bytes, not the text:
  // hashing a string encodes it again (10 against 2 ms).
  const flags = `${process.execArgv.join(' ')}\n${process.env.NODE_OPTIONS ?? ''}`;
  const digest = createHash('sha256').update(`${process.version}\n${process.arch}\n${flags}\n`).update(bundleBytes).digest('hex').slice(0, 32);
  const xdg = process.env.XDG_CACHE_HOME;
  return { file: join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'supplywatch', `code-${digest}-${command}.bin`), command };
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** A command's caches kept (different builds, or V8 flags given to node): the newest, this many. */
const KEPT_PER_COMMAND = 4;

/** Written whole or not at all (a temporary file renamed); the command's oldest caches beyond KEPT_PER_COMMAND removed. */
function writeCache({ file, command }: { file: string; command: string }, data: Buffer): void {
  try {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, data);
    renameSync(temporary, file);
    const sameCommand = new RegExp(`^code-[0-9a-f]{32}-${command}\\.bin$`);
    const others = readdirSync(dir)
      .filter((name) => sameCommand.test(name) && join(dir, name) !== file)
      .map((name) => ({ path: join(dir, name), at: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of others.slice(KEPT_PER_COMMAND - 1)) rmSync(old.path, { force: true });
  } catch {
    // No cache: the next start compiles as this one did.
  }
}
