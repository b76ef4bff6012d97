/**
 * Parsed rule files kept between runs: parsing YAML is most of a large load, and a hunter runs
 * the same rules again and again (docs/performance.md#rule-cache). Each file's entry is its load
 * (documents, prefilter anchors, problems) under the digest of the file's bytes, and it is used
 * only when the file's bytes hash to that digest again and the code that made it is the code
 * running now. Anything else in the cache (another version's, a corrupt or truncated file) is
 * ignored and rewritten, never trusted: a warm load gives what a cold one would.
 *
 * The bytes are not read again while the file's stat is the one they were hashed with (device,
 * inode, size, modification and change times), as git trusts its index: a
 * write changes the modification time, anything else (a rename over it, `touch -d`, a restored
 * archive) the change time, which no one can set back. A stat is kept only when both times were
 * at least STAMP_SETTLED_MS old when the bytes were read, so a write in the same tick of the
 * file system's clock (git's "racily clean" entries) cannot go unseen.
 */
import { hash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readChecked, writeChecked } from './checked-file.js';
import { CorrelationRule } from './correlation/correlation-rule.js';
import type { Anchors } from './prefilter.js';
import { SigmaRule, type StoredDocument } from './rule.js';
import type { LoadResult, RuleProblem } from './yaml-loader.js';

/** Bump when an entry's shape changes (the code identity covers what the code makes of it). */
const CACHE_FORMAT = 4;

/** How old a file's times must be for its stat to stand for its bytes (FAT's clock ticks every 2 s). */
const STAMP_SETTLED_MS = 2_000;

type Problem = Omit<RuleProblem, 'file'>;

/** One file's load without its path: the path it is loaded under is given back on use. */
interface CachedLoad {
  /** `detection`: the rule's parsed detection (detection-bytes.ts), read back at its first test. */
  rules: Array<{ document: StoredDocument; line: number; anchors: Anchors; detection: Uint8Array }>;
  correlations: Array<{ raw: Record<string, unknown>; line: number; refPositions: CorrelationRule['refPositions'] }>;
  rejected: Problem[];
  warnings: Problem[];
}

interface CacheFile {
  format: number;
  code: string;
  /** By absolute path; `stamp`: the file's stat when its bytes were hashed (fileStamp). */
  files: Map<string, { digest: string; load: CachedLoad; stamp?: string }>;
}

/**
 * The stat that stands for a file's bytes, or undefined when it cannot be taken or is too recent
 * to (see above): then the bytes are read and hashed.
 */
export function fileStamp(file: string): string | undefined {
  let s;
  try {
    s = statSync(file);
  } catch {
    return undefined;
  }
  // Milliseconds as doubles keep a fraction of a microsecond today: a write in the same
  // microsecond is one in the same clock tick, which the settling rules out.
  const settled = Date.now() - STAMP_SETTLED_MS;
  if (!s.isFile() || s.mtimeMs > settled || s.ctimeMs > settled) return undefined;
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

/** The digest a rule file's entry is kept under. */
export function ruleFileDigest(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'base64');
}

/** The cache folder ($XDG_CACHE_HOME/supplywatch or ~/.cache/supplywatch). */
export class RuleCache {
  constructor(readonly dir: string) {}

  /** The entries of one load (loadRules' paths): one cache file per set of paths. */
  open(paths: readonly string[]): RuleCacheLoad {
    const name = hash('sha256', JSON.stringify(paths.map((p) => resolve(p))), 'hex').slice(0, 32);
    return new RuleCacheLoad(join(this.dir, `rules-${name}.bin`));
  }
}

/** One load's entries: looked up file by file, then saved once with what changed. */
export class RuleCacheLoad {
  private readonly stored: CacheFile['files'];
  private readonly next: CacheFile['files'] = new Map();
  private changed = false;

  constructor(private readonly file: string) {
    this.stored = readCacheFile(file) ?? new Map();
  }

  /** The file's load and digest if its entry was made from bytes with this stat (fileStamp): the bytes need not be read. */
  lookupStamped(file: string, stamp: string): { digest: string; load: LoadResult } | undefined {
    const key = resolve(file);
    const entry = this.stored.get(key);
    if (entry?.stamp !== stamp) return undefined;
    const load = restore(entry.load, file);
    if (load) this.next.set(key, entry);
    return load && { digest: entry.digest, load };
  }

  /**
   * The file's load if its entry holds these bytes' digest; else undefined, and it must be loaded
   * (then `remember`). `stamp`: the file's stat taken before its bytes were read, kept with the entry.
   */
  lookup(file: string, digest: string, stamp?: string): LoadResult | undefined {
    const key = resolve(file);
    const entry = this.stored.get(key);
    if (entry?.digest !== digest) return undefined;
    const load = restore(entry.load, file);
    if (!load) return undefined;
    if (stamp !== entry.stamp) this.changed = true;
    this.next.set(key, { ...entry, stamp });
    return load;
  }

  remember(file: string, digest: string, load: LoadResult, stamp?: string): void {
    this.next.set(resolve(file), { digest, load: storable(load), stamp });
    this.changed = true;
  }

  /** Writes the entries looked up or remembered, when they differ from those read: atomically (a reader sees the old file or the new). */
  save(): void {
    if (!this.changed && this.next.size === this.stored.size) return;
    const contents: CacheFile = { format: CACHE_FORMAT, code: codeIdentity(), files: this.next };
    writeChecked(this.file, contents, () => mkdirSync(dirname(this.file), { recursive: true }));
  }
}

/** The entries of a cache file, or undefined when it is missing, corrupt, or made by other code. */
function readCacheFile(file: string): CacheFile['files'] | undefined {
  const cache = readChecked(file) as Partial<CacheFile> | undefined;
  if (cache?.format !== CACHE_FORMAT || cache.code !== codeIdentity() || !(cache.files instanceof Map)) return undefined;
  return cache.files;
}

function storable(load: LoadResult): CachedLoad {
  const problem = ({ file: _, ...rest }: RuleProblem): Problem => rest;
  return {
    rules: load.rules.map((rule) => {
      if (!(rule instanceof SigmaRule)) throw new Error(`rule ${rule.file}:${rule.line} cannot be cached`);
      return { document: rule.storedDocument(), line: rule.line, anchors: rule.anchors, detection: rule.detectionBytes() };
    }),
    correlations: load.correlations.map((c) => ({ raw: c.raw, line: c.line, refPositions: c.refPositions })),
    rejected: load.rejected.map(problem),
    warnings: load.warnings.map(problem),
  };
}

/**
 * The load again, under the path it is loaded from now. The documents compiled when the entry
 * was made (the compiler is deterministic), so a rule that no longer does means the entry is
 * not what it claims: undefined, and the file is loaded afresh.
 */
function restore(load: CachedLoad, file: string): LoadResult | undefined {
  try {
    return {
      // The bytes stay views into the cache file's payload (one buffer for every rule of the
      // load); what crosses to a worker thread is copied there (alerts/pack-snapshot.ts).
      rules: load.rules.map(({ document, line, anchors, detection }) => new SigmaRule(document, file, line, anchors, detection)),
      correlations: load.correlations.map(({ raw, line, refPositions }) => {
        const rule = new CorrelationRule(raw, file, line);
        rule.refPositions = refPositions;
        return rule;
      }),
      rejected: load.rejected.map((p) => ({ file, ...p })),
      warnings: load.warnings.map((p) => ({ file, ...p })),
    };
  } catch {
    return undefined;
  }
}

let identity: string | undefined;

/**
 * What made an entry (here, and in automaton-cache.ts): the code that reads and compiles rules (the JavaScript files beside this
 * module, which in the bundle include the YAML libraries) and the installed dependencies
 * (npm's record of them, for the unbundled build). Any change makes every entry stale.
 */
export function codeIdentity(): string {
  if (identity !== undefined) return identity;
  const here = dirname(fileURLToPath(import.meta.url));
  const parts = [String(CACHE_FORMAT)];
  for (const file of javascriptFiles(here)) parts.push(file.slice(here.length), hash('sha256', readFileSync(file), 'base64'));
  for (let dir = here; ; dir = dirname(dir)) {
    const installed = join(dir, 'node_modules', '.package-lock.json');
    if (existsSync(installed)) {
      parts.push(hash('sha256', readFileSync(installed), 'base64'));
      break;
    }
    if (dirname(dir) === dir) break;
  }
  return (identity = hash('sha256', parts.join('\n'), 'base64'));
}

function javascriptFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...javascriptFiles(full));
    else if (entry.name.endsWith('.js') || entry.name.endsWith('.cjs')) out.push(full);
  }
  return out;
}
