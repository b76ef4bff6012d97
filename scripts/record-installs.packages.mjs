// What scripts/record-installs.mjs installs: popular packages whose install runs code, one fresh
// project each. `args` follow `npm`; `project` is merged into the project's package.json (a
// root `prepare` script, devDependencies); `git: true` runs `git init` first (hook installers
// need a repository). eval-corpus/real-installs/README.md says what each one does at install.
// A version is pinned where the latest release no longer runs an install script (checked with
// `npm view PKG scripts` when recording: sharp 0.35, turbo 2, biome 2, protobufjs 8, … dropped
// theirs), so that every recording shows a script running.

/** @typedef {{ id: string, kind: string, args: string[], project?: object, git?: boolean }} NpmInstall */

/** @type {NpmInstall[]} */
export const NPM_INSTALLS = [
  // Native addons: prebuilt binary inside the package, or download (GitHub is closed here) and
  // then a node-gyp build from source (make, g++, as) against the headers in /usr/include/node.
  { id: 'bcrypt', kind: 'native', args: ['install', 'bcrypt'] },
  { id: 'better-sqlite3', kind: 'native', args: ['install', 'better-sqlite3@12'] },
  { id: 'sqlite3', kind: 'native', args: ['install', 'sqlite3'] },
  { id: 'argon2', kind: 'native', args: ['install', 'argon2'] },
  { id: 'node-pty', kind: 'native', args: ['install', 'node-pty'] },
  { id: 'bufferutil', kind: 'native', args: ['install', 'bufferutil', 'utf-8-validate'] },
  { id: 'sharp', kind: 'native', args: ['install', 'sharp@0.33.5'] },
  { id: 'ssh2', kind: 'native', args: ['install', 'ssh2'] },
  { id: 'msgpackr-extract', kind: 'native', args: ['install', 'msgpackr-extract'] },
  { id: 'lmdb', kind: 'native', args: ['install', 'lmdb'] },
  { id: 'classic-level', kind: 'native', args: ['install', 'classic-level'] },
  { id: 'deasync', kind: 'native', args: ['install', 'deasync'] },
  { id: 'dtrace-provider', kind: 'native', args: ['install', 'dtrace-provider'] },
  { id: 'usb', kind: 'native', args: ['install', 'usb@2.11.0'] },
  { id: 'unrs-resolver', kind: 'native', args: ['install', 'unrs-resolver@1.7.13'] },
  { id: 'newrelic-native-metrics', kind: 'native', args: ['install', '@newrelic/native-metrics'] },
  // Shipped binaries: an optional platform package, checked or linked by an install script.
  { id: 'esbuild', kind: 'binary', args: ['install', 'esbuild'] },
  { id: 'swc-core', kind: 'binary', args: ['install', '@swc/core'] },
  { id: 'turbo', kind: 'binary', args: ['install', 'turbo@1.4.7'] },
  { id: 'biome', kind: 'binary', args: ['install', '@biomejs/biome@1.9.4'] },
  { id: 'tailwindcss-oxide', kind: 'binary', args: ['install', '@tailwindcss/oxide@4.1.11'] },
  { id: 'bun', kind: 'binary', args: ['install', 'bun'] },
  { id: 'nx', kind: 'binary', args: ['install', 'nx'] },
  { id: 'workerd', kind: 'binary', args: ['install', 'workerd'] },
  { id: 'sentry-cli', kind: 'binary', args: ['install', '@sentry/cli'] },
  { id: 'geckodriver', kind: 'downloader', args: ['install', 'geckodriver'] },
  { id: 'electron', kind: 'downloader', args: ['install', 'electron'] },
  // Downloaders: fetch a browser, driver, engine or tool from outside the npm registry.
  { id: 'puppeteer', kind: 'downloader', args: ['install', 'puppeteer'] },
  { id: 'playwright-chromium', kind: 'downloader', args: ['install', 'playwright-chromium'] },
  { id: 'cypress', kind: 'downloader', args: ['install', 'cypress'] },
  { id: 'chromedriver', kind: 'downloader', args: ['install', 'chromedriver'] },
  { id: 'prisma', kind: 'downloader', args: ['install', 'prisma', '@prisma/client'] },
  { id: 'vscode-ripgrep', kind: 'downloader', args: ['install', '@vscode/ripgrep@1.15.9'] },
  { id: 'ffmpeg-static', kind: 'downloader', args: ['install', 'ffmpeg-static'] },
  { id: 'gifsicle', kind: 'downloader', args: ['install', 'gifsicle'] },
  { id: 'snyk', kind: 'downloader', args: ['install', 'snyk'] },
  { id: 'tfjs-node', kind: 'downloader', args: ['install', '@tensorflow/tfjs-node'] },
  // Hooks: postinstall banners, git hook installers, root prepare scripts, codegen.
  { id: 'core-js', kind: 'hook', args: ['install', 'core-js'] },
  { id: 'es5-ext', kind: 'hook', args: ['install', 'es5-ext'] },
  { id: 'nodemon', kind: 'hook', args: ['install', 'nodemon@2.0.7'] },
  { id: 'protobufjs', kind: 'hook', args: ['install', 'protobufjs@7.4.0'] },
  { id: 'vue-demi', kind: 'hook', args: ['install', 'vue-demi', 'vue'] },
  { id: 'msw', kind: 'hook', args: ['install', 'msw'] },
  { id: 'nestjs-core', kind: 'hook', args: ['install', '@nestjs/core@10.4.15', '@nestjs/common@10.4.15', 'reflect-metadata', 'rxjs'] },
  { id: 'scarf', kind: 'hook', args: ['install', '@scarf/scarf'] },
  { id: 'lefthook', kind: 'hook', git: true, args: ['install', 'lefthook'] },
  { id: 'simple-git-hooks', kind: 'hook', git: true, project: { 'simple-git-hooks': { 'pre-commit': 'npx lint-staged' } }, args: ['install', 'simple-git-hooks'] },
  { id: 'pre-commit', kind: 'hook', git: true, args: ['install', 'pre-commit'] },
  {
    id: 'husky',
    kind: 'hook',
    git: true,
    project: { scripts: { prepare: 'husky' }, devDependencies: { husky: '^9.1.0' } },
    args: ['install'],
  },
  {
    id: 'patch-package',
    kind: 'hook',
    project: { scripts: { postinstall: 'patch-package' }, devDependencies: { 'patch-package': '^8.0.0' } },
    args: ['install'],
  },
];
