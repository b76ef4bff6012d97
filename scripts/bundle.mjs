// Bundles the built CLI (dist/, from tsc) into dist/bin/: the `supplywatch` command, and the
// worker files the scan starts. Node 20 resolves and links each ES module of the tsc output on
// its own: ~175 files, 0.25 s before a scan could start, in the main thread and again in each
// worker thread. Bundled, the command starts in a fraction of that.
//
// Everything lands in one folder, chunks shared by the entry points included, because the code
// finds its siblings relative to its own file: parallel/pool.ts starts `./worker.js` and
// `./parse-helper.js`, alerts/pack.ts finds the built-in packs at `../../rules`.
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'dist/bin';
// Chunk names change with their content: a folder bundled into again would keep the old ones.
rmSync(OUT, { recursive: true, force: true });

await build({
  entryPoints: {
    supplywatch: 'dist/cli/main.js',
    worker: 'dist/parallel/worker.js',
    'parse-helper': 'dist/parallel/parse-helper.js',
  },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // A native addon: it loads its own binary from its package.
  external: ['@duckdb/node-api'],
  // Bundled CommonJS dependencies (commander, saxes, ...) require Node's modules.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
chmodSync(`${OUT}/supplywatch.js`, 0o755);
