// Block coverage of src/ files from V8's own counters (no coverage package needed):
//   NODE_V8_COVERAGE=/tmp/cov npx vitest run test/fuzz/readers.test.ts --pool=forks
//   node test/fuzz/coverage.mjs /tmp/cov [src/sources]
// Percentages are of the bytes of each module as vitest transformed it (TypeScript stripped),
// counting a byte covered when the innermost V8 range holding it ran at least once.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, under = 'src/'] = process.argv.slice(2);
const files = new Map(); // path -> Uint8Array of per-byte "ran" flags (1 ran, 2 not), merged over processes
for (const name of readdirSync(dir)) {
  const { result } = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  for (const script of result) {
    const path = script.url.replace(/^file:\/\//, '').replace(/\?.*$/, '');
    const at = path.indexOf('/' + under);
    if (at < 0 || !path.endsWith('.ts')) continue;
    const size = Math.max(...script.functions.flatMap((f) => f.ranges.map((r) => r.endOffset)));
    const state = new Uint8Array(size);
    // Functions come outer to inner; ranges inside a function too: later ranges override.
    for (const fn of script.functions) for (const r of fn.ranges) state.fill(r.count > 0 ? 1 : 2, r.startOffset, r.endOffset);
    const key = path.slice(at + 1);
    const merged = files.get(key);
    if (!merged || merged.length !== size) files.set(key, state);
    else for (let i = 0; i < size; i++) if (state[i] === 1) merged[i] = 1;
  }
}
let ran = 0;
let total = 0;
for (const [path, state] of [...files].sort()) {
  const covered = state.filter((s) => s === 1).length;
  ran += covered;
  total += state.length;
  console.log(`${((100 * covered) / state.length).toFixed(1).padStart(5)}%  ${path}`);
}
console.log(`${((100 * ran) / total).toFixed(1).padStart(5)}%  all ${files.size} files`);
