// Function and block coverage of src/ files, from V8's own counters (no coverage package):
//   mkdir /tmp/cov && FUZZ_COVERAGE=/tmp/cov npx vitest run test/fuzz
//   node test/fuzz/coverage.mjs /tmp/cov [src/sources]
// Functions: the share of a file's functions (arrow functions included) that ran at least once.
// Blocks: the share of the bytes inside those functions whose innermost V8 range ran, in the
// code as vitest transformed it (types stripped), so a percentage, not a line count.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, under = 'src/'] = process.argv.slice(2);
/** path -> { functions: Map<start offset, ran>, bytes: per-byte state (0 outside, 1 ran, 2 not) } */
const files = new Map();
for (const name of readdirSync(dir)) {
  const { result } = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  for (const script of result) {
    const path = script.url.replace(/^file:\/\//, '').replace(/\?.*$/, '');
    const at = path.indexOf('/' + under);
    if (at < 0 || !path.endsWith('.ts')) continue;
    const key = path.slice(at + 1);
    // The first two functions are the script and vitest's module wrapper: not the file's own.
    const own = script.functions.filter((f) => f.ranges[0].startOffset > 0).slice(1);
    const size = Math.max(0, ...script.functions.flatMap((f) => f.ranges.map((r) => r.endOffset)));
    const entry = files.get(key) ?? { functions: new Map(), bytes: new Uint8Array(size) };
    if (entry.bytes.length !== size) continue; // another transform of the file: skip
    const bytes = new Uint8Array(size);
    for (const fn of own) {
      const ran = fn.ranges[0].count > 0;
      entry.functions.set(fn.ranges[0].startOffset, (entry.functions.get(fn.ranges[0].startOffset) ?? false) || ran);
      for (const r of fn.ranges) bytes.fill(r.count > 0 ? 1 : 2, r.startOffset, r.endOffset);
    }
    for (let i = 0; i < size; i++) if (bytes[i] === 1 || (bytes[i] === 2 && entry.bytes[i] !== 1)) entry.bytes[i] = bytes[i];
    files.set(key, entry);
  }
}
const pct = (a, b) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`);
let fnRan = 0, fnAll = 0, bRan = 0, bAll = 0;
console.log('functions  blocks  file');
for (const [path, { functions, bytes }] of [...files].sort()) {
  const ran = [...functions.values()].filter(Boolean).length;
  const covered = bytes.filter((s) => s === 1).length;
  const inside = bytes.filter((s) => s !== 0).length;
  fnRan += ran; fnAll += functions.size; bRan += covered; bAll += inside;
  console.log(`${pct(ran, functions.size)}  ${pct(covered, inside)}  ${path}`);
}
console.log(`${pct(fnRan, fnAll)}  ${pct(bRan, bAll)}  all ${files.size} files`);
