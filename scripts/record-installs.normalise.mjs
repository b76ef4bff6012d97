// Makes a `supplywatch run --save` recording shareable and stable: the recording user's home
// becomes /home/dev and its name `dev` (the same everywhere, so paths still join up), and the
// sensor's random FIFO folder gets a fixed name. Times and process ids stay.
//
// One flood is trimmed: the package manager unpacking ordinary package files (core-js alone is
// 3,700 `.js` files, each one file event of npm's own process). Per package folder the first
// KEEP_PER_PACKAGE such writes stay, the rest are dropped and counted (recordings.json says how
// many). Never dropped: anything written by another process, outside node_modules, a dotfile or
// a file under a dot-folder (.github, .husky, .bin…), a file without one of the source/doc
// extensions below (binaries, scripts, .node addons), and every non-file event.
// Streams line by line.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { homedir, userInfo } from 'node:os';
import { createInterface } from 'node:readline';

export const NORMAL_HOME = '/home/dev';
export const NORMAL_USER = 'dev';

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A function that rewrites one string: home → /home/dev, the sensor's FIFO folder → fixed. */
export function pathRewriter(home = homedir()) {
  // The home only where a path starts: `/root/x`, `"/root"` and `-L/root/x` (compiler flags),
  // not `/tmp/root/x`.
  const homeAt = new RegExp(`(?<=^|[^\\w.-]|(?:^|\\s)-[A-Za-z])${escapeRegExp(home)}(?=/|$|[^\\w.-])`, 'g');
  return (s) => s.replace(homeAt, NORMAL_HOME).replace(/\/supplywatch-run-[A-Za-z0-9]{6}\//g, '/supplywatch-run-recording/');
}

/** Rewrites every string of an event (field values, user); the user's own name becomes `dev`. */
export function normaliseEvent(event, rewrite, user = userInfo().username) {
  const walk = (value) => {
    if (typeof value === 'string') return rewrite(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  const out = walk(event);
  if (out.user === user) out.user = NORMAL_USER;
  if (out.fields?.User === user) out.fields.User = NORMAL_USER;
  return out;
}

export const KEEP_PER_PACKAGE = 25;
const ORDINARY_FILE = /(?:\.(?:[cm]?js|[cm]?ts|jsx|tsx|map|json|md|markdown|txt|flow|css|scss|html|yml|yaml|h|hh|hpp|c|cc|cpp|py|gyp|gypi|def)|\/(?:LICENSE|LICENCE|README|CHANGELOG|AUTHORS|NOTICE)[^/]*)$/i;

/**
 * A filter that says whether one event is part of the package manager's unpacking flood, past
 * the first KEEP_PER_PACKAGE writes of its package folder. `installerPid` is the install
 * command's own process (the first process_creation of the recording).
 */
export function extractionFlood(projectDir) {
  const perPackage = new Map();
  let installerPid;
  return (event) => {
    const f = event.fields ?? {};
    if (installerPid === undefined && event.category === 'process_creation') installerPid = f.ProcessId;
    if (event.category !== 'file_event' || f.ProcessId !== installerPid) return false;
    const target = String(f.TargetFilename ?? '');
    const inModules = target.startsWith(`${projectDir}/node_modules/`);
    if (!inModules || !ORDINARY_FILE.test(target) || /\/\./.test(target.slice(projectDir.length))) return false;
    const pkg = target.match(/.*\/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[0];
    const seen = (perPackage.get(pkg) ?? 0) + 1;
    perPackage.set(pkg, seen);
    return seen > KEEP_PER_PACKAGE;
  };
}

/**
 * Streams `from` to `to`, one event per line. Options: `projectDir` trims the unpacking flood in
 * it; `homes` (all become /home/dev) and `user` are the recording's (default: this process's
 * home and user); `renames` are literal
 * prefixes replaced after the home (a random test folder → a fixed name). Returns how many
 * events were written and how many trimmed.
 */
export async function normaliseFile(from, to, { projectDir, homes = [homedir()], user = userInfo().username, renames = [] } = {}) {
  const rewriters = homes.map((home) => pathRewriter(home));
  const rewriteHomes = (s) => rewriters.reduce((out, rewrite) => rewrite(out), s);
  const rewrite = (s) => renames.reduce((out, [prefix, replacement]) => out.split(prefix).join(replacement), rewriteHomes(s));
  const isFlood = projectDir ? extractionFlood(projectDir) : () => false;
  const lines = createInterface({ input: createReadStream(from, 'utf8'), crlfDelay: Infinity });
  const out = createWriteStream(to);
  let written = 0;
  let trimmed = 0;
  for await (const line of lines) {
    if (!line.trim()) continue;
    const event = JSON.parse(line);
    if (isFlood(event)) {
      trimmed++;
      continue;
    }
    if (!out.write(JSON.stringify(normaliseEvent(event, rewrite, user)) + '\n')) await once(out, 'drain');
    written++;
  }
  out.end();
  await once(out, 'finish');
  return { written, trimmed };
}
