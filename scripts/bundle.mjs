// Bundles the built CLI (dist/, from tsc) into dist/bin/: the `supplywatch` command, and the
// worker files the scan starts. Node 20 resolves and links each ES module of the tsc output on
// its own: ~175 files, 0.25 s before a scan could start, in the main thread and again in each
// worker thread. Bundled, the command starts in a fraction of that.
//
// The command is two files: `supplywatch.js` (runtime/cached-start.ts), which compiles
// `cli.cjs`, the whole CLI as one CommonJS file, with V8's code cache (a script, unlike an ES
// module, can be given one in Node 20; docs/performance.md#code-cache). The worker files stay
// ES modules, their shared code in chunks.
//
// Everything lands in one folder, because the code finds its siblings relative to its own file:
// parallel/pool.ts starts `./worker.js` and `./parse-helper.js`, alerts/pack.ts finds the
// built-in packs at `../../rules`.
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'dist/bin';
// Chunk names change with their content: a folder bundled into again would keep the old ones.
rmSync(OUT, { recursive: true, force: true });

const common = {
  outdir: OUT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // A native addon: it loads its own binary from its package.
  external: ['@duckdb/node-api'],
  sourcemap: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: { cli: 'dist/cli/main.js' },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  // The code finds its siblings by its own URL; in CommonJS that is the bundle's file.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

await build({
  ...common,
  entryPoints: {
    supplywatch: 'dist/runtime/cached-start.js',
    worker: 'dist/parallel/worker.js',
    'parse-helper': 'dist/parallel/parse-helper.js',
  },
  splitting: true,
  format: 'esm',
  // Bundled CommonJS dependencies (commander, saxes, ...) require Node's modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
chmodSync(`${OUT}/supplywatch.js`, 0o755);
for (const name of readdirSync(OUT)) if (/\.c?js$/.test(name)) asciiOnly(`${OUT}/${name}`);

/**
 * Bundles in ASCII: V8 holds a source with one character beyond it as a two-byte string, decoded
 * as UTF-8 at every start (the command's 2.3 MB: ~5 ms and 5 MB; its loader then reads it as
 * Latin-1, a copy; docs/performance.md#code-cache). esbuild escapes strings and identifiers
 * already; what it leaves (comments, a regular expression's literal characters) is escaped here,
 * each UTF-16 unit as `\uXXXX`, which means the same character in a regular expression, with or
 * without the `u` flag. An escaped file must still pass `node --check`.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii === text) return;
  writeFileSync(file, ascii);
  execFileSync(process.execPath, ['--check', file], { stdio: 'inherit' });
}
