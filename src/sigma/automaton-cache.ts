/**
 * Needle automata kept between runs, beside the rule cache (rule-cache.ts): a scan with a large
 * rule set builds its automata at the first event of each log source, every run the same
 * (SigmaHQ's Windows rules over a folder of EVTX files: 193 automata, 33 MB of tables, 130–190 ms
 * of CPU), and reading them back costs a fraction of that
 * (docs/performance.md#automaton-cache). An automaton's file is named by a hash of everything
 * it is built from (automaton-exchange.ts's key) and of the code that builds it; it holds a
 * checksum, and one that does not check out or does not hold an automaton's tables is built
 * again and rewritten, never trusted.
 */
import { hash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readChecked, writeChecked } from './checked-file.js';
import type { AutomatonTables } from './needle-index.js';
import { codeIdentity } from './rule-cache.js';

const PREFIX = 'automata-';

let folder: { path: string; made: boolean } | undefined;

/**
 * Automata are kept under `dir` (the rule cache's folder) from now on in this thread, or not at
 * all (undefined: `--no-cache`). Each version of the code keeps them in a folder of its own; the
 * folders of other versions are removed when this one is made.
 */
export function keepAutomataIn(dir: string | undefined): void {
  folder = dir === undefined ? undefined : { path: join(dir, PREFIX + hash('sha256', codeIdentity(), 'hex').slice(0, 16)), made: false };
}

/** The tables of the automaton of `key`: read back, or built (and kept). */
export function storedOrBuilt(key: string, build: () => AutomatonTables): AutomatonTables {
  if (!folder) return build();
  const file = join(folder.path, `${hash('sha256', key, 'hex').slice(0, 40)}.bin`);
  const stored = readTables(file);
  if (stored) return stored;
  const tables = build();
  writeTables(file, tables);
  return tables;
}

/**
 * An automaton as stored: its class table (65,536 entries, most of them 0: a char in no needle)
 * as the pairs that are not 0, a third of the bytes a hunt would read back otherwise.
 */
type StoredTables = Omit<AutomatonTables, 'classes'> & { classChars: Uint16Array; classValues: Uint8Array };

function readTables(file: string): AutomatonTables | undefined {
  const stored = readChecked(file) as StoredTables | undefined;
  if (!(stored?.classChars instanceof Uint16Array) || !(stored.classValues instanceof Uint8Array) || stored.classChars.length !== stored.classValues.length) return undefined;
  const { classChars, classValues, ...rest } = stored;
  const classes = new Uint8Array(65536);
  for (let i = 0; i < classChars.length; i++) classes[classChars[i]!] = classValues[i]!;
  const tables: AutomatonTables = { ...rest, classes };
  return wellFormed(tables) ? tables : undefined;
}

function storable({ classes, ...rest }: AutomatonTables): StoredTables {
  const chars: number[] = [];
  for (let c = 0; c < classes.length; c++) if (classes[c] !== 0) chars.push(c);
  return { ...rest, classChars: Uint16Array.from(chars), classValues: Uint8Array.from(chars, (c) => classes[c]!) };
}

/** The tables' arrays are of their kinds and sizes (needle-index.ts): a file that passes its checksum yet is not an automaton is not used. */
function wellFormed(t: AutomatonTables): boolean {
  const states = t?.fail instanceof Int32Array ? t.fail.length : -1;
  return (
    states > 0 &&
    t.classes instanceof Uint8Array && t.classes.length === 65536 &&
    Number.isInteger(t.width) && (t.delta instanceof Uint16Array || t.delta instanceof Int32Array) && t.delta.length === states * t.width &&
    Number.isInteger(t.quiet) && t.quiet <= states &&
    t.sparse instanceof Map &&
    t.starts instanceof Int32Array && t.starts.length === states + 1 &&
    t.ids instanceof Int32Array && t.ids.length === t.starts[states]
  );
}

function writeTables(file: string, tables: AutomatonTables): void {
  writeChecked(file, storable(tables), () => {
    if (!folder!.made) makeFolder(folder!.path);
  });
}

function makeFolder(path: string): void {
  mkdirSync(path, { recursive: true });
  folder!.made = true;
  const parent = join(path, '..');
  for (const entry of readdirSync(parent)) {
    if (entry.startsWith(PREFIX) && join(parent, entry) !== path) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}
