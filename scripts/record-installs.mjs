#!/usr/bin/env node
// Records the benign real-install corpus (eval-corpus/real-installs/): each install runs in a
// fresh project under /tmp/swrec/<id> under `supplywatch run --rules hardened --save`, from the
// npm registry (needs the network; tests never run this). The saved events are normalised
// (scripts/record-installs.normalise.mjs) and written to eval-corpus/real-installs/<tool>/<id>.ndjson;
// eval-corpus/real-installs/recordings.yaml keeps, per recording, the command, its outcome,
// event counts, the alerts raised live, the versions installed and the lifecycle scripts that ran
// (YAML: `eval` takes every other file in the corpus folder for telemetry). The local pip and
// cargo sources are in scripts/record-installs.sources/.
//
//   npm run build && node scripts/record-installs.mjs [id…]     (no id: all of them)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { normaliseFile } from './record-installs.normalise.mjs';
import { NPM_INSTALLS } from './record-installs.packages.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'dist/bin/supplywatch.js');
const CORPUS = join(REPO, 'eval-corpus/real-installs');
const SOURCES = join(REPO, 'scripts', 'record-installs.sources');
const WORK = '/tmp/swrec';
const INDEX = join(CORPUS, 'recordings.yaml');
const NPM_FLAGS = ['--foreground-scripts', '--no-audit', '--no-fund', '--no-update-notifier'];
// Debian's python3 has setuptools and wheel, so local sdists build offline (PyPI is closed).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Local packages built from source with what real ones run at build time. */
const PIP_INSTALLS = [
  { id: 'pip-c-extension', kind: 'native', source: 'pip-c-extension' },
  { id: 'pip-setuptools-scm-git', kind: 'hook', source: 'pip-scm-git', git: true },
];
const CARGO_BUILDS = [{ id: 'cargo-build-rs', kind: 'native', source: 'cargo-build-rs', git: true }];

function git(cwd, ...args) {
  const r = spawnSync('git', ['-c', 'user.name=dev', '-c', 'user.email=dev@example.invalid', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd}: ${r.stderr}`);
}

function freshProject(id) {
  const dir = join(WORK, id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs the command under `supplywatch run`; returns the raw save, the alerts and the summary. */
function recordUnderSensor(dir, command, env = {}) {
  const raw = join(dir, '..', `${dir.split('/').pop()}.raw.ndjson`);
  const args = [CLI, 'run', '--rules', 'hardened', '--format', 'jsonl', '--save', raw, '--', ...command];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (status) => {
      const stderr = Buffer.concat(err).toString('utf8');
      writeFileSync(join(dir, '..', `${dir.split('/').pop()}.log`), stderr);
      const alerts = Buffer.concat(out).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      resolve({ raw, status, stderr, alerts, seconds: Math.round((Date.now() - started) / 100) / 10 });
    });
  });
}

const summaryLine = (stderr, key) => stderr.match(new RegExp(`^${key}: (.*)$`, 'm'))?.[1];

/** npm's `> name@version phase` banners: which package ran which script (also when it failed). */
const lifecycleBanners = (output) => [...output.matchAll(/^> (\S+@\S+) (preinstall|install|postinstall|prepare)$/gm)].map((m) => `${m[1]} ${m[2]}`);

/** The lifecycle scripts npm ran: the shells npm (node) started, with their folder. */
function scriptsRun(eventsFile, projectDir) {
  const scripts = [];
  for (const line of readFileSync(eventsFile, 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line);
    const f = e.fields;
    if (e.category !== 'process_creation' || !/\/sh$/.test(f.Image ?? '') || !/\/node$/.test(f.ParentImage ?? '')) continue;
    if (!/(^|\/)npm(-cli\.js)? /.test(String(f.ParentCommandLine))) continue;
    scripts.push(`${String(f.CurrentDirectory).replace(projectDir, '.')}: ${f.CommandLine}`);
  }
  return scripts;
}

function installedVersions(dir, names) {
  const versions = {};
  for (const name of names) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) versions[name] = JSON.parse(readFileSync(manifest, 'utf8')).version;
  }
  return versions;
}

async function finish(tool, entry, dir, command, result, extra) {
  const outDir = join(CORPUS, tool);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${entry.id}.ndjson`);
  const { written: events, trimmed } = await normaliseFile(result.raw, file, { projectDir: tool === 'npm' ? dir : undefined });
  const alertsByLevel = {};
  for (const a of result.alerts) {
    const key = `${a.rule.level ?? 'none'}: ${a.rule.title}`;
    alertsByLevel[key] = (alertsByLevel[key] ?? 0) + 1;
  }
  const record = {
    id: entry.id,
    tool,
    kind: entry.kind,
    command: command.join(' '),
    outcome: summaryLine(result.stderr, 'outcome'),
    eventsRecorded: summaryLine(result.stderr, 'events'),
    events,
    unpackingWritesTrimmed: trimmed,
    seconds: result.seconds,
    alertsLive: alertsByLevel,
    ...extra,
  };
  const index = existsSync(INDEX) ? parse(readFileSync(INDEX, 'utf8')) : {};
  index[`${tool}/${entry.id}`] = record;
  const sorted = Object.fromEntries(Object.entries(index).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(INDEX, `# Written by scripts/record-installs.mjs: one entry per recording.\n${stringify(sorted, { lineWidth: 0 })}`);
  rmSync(result.raw, { force: true });
  console.log(`${tool}/${entry.id}: ${record.outcome}; ${events} events kept, ${trimmed} trimmed (recorded ${record.eventsRecorded}); ${result.seconds} s; alerts ${JSON.stringify(alertsByLevel)}`);
  return record;
}

async function recordNpm(entry) {
  const dir = freshProject(entry.id);
  if (entry.git) git(dir, 'init', '-q');
  const pkg = { name: `sw-real-${entry.id}`, version: '1.0.0', private: true, ...(entry.project ?? {}) };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  const command = ['npm', ...entry.args, ...NPM_FLAGS];
  const result = await recordUnderSensor(dir, command);
  const scripts = scriptsRun(result.raw, dir);
  if (scripts.length === 0) console.warn(`${entry.id}: WARNING no lifecycle script ran`);
  const names = entry.args.slice(1).map((spec) => spec.replace(/(?<=.)@[^/]*$/, ''));
  const declared = Object.keys(entry.project?.devDependencies ?? {});
  return finish('npm', entry, dir, command, result, {
    npm: spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim(),
    lifecycle: lifecycleBanners(result.stderr),
    versions: installedVersions(dir, [...names, ...declared]),
    scripts,
  });
}

function venv(dir) {
  const made = spawnSync(PYTHON, ['-m', 'venv', '--system-site-packages', join(dir, 'venv')], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`venv: ${made.stderr}`);
  return join(dir, 'venv', 'bin', 'pip');
}

/** A copy of a committed source folder, as a git repository when the build reads git. */
function sourceCopy(entry, dir) {
  const src = join(dir, entry.source);
  cpSync(join(SOURCES, entry.source), src, { recursive: true });
  if (entry.git) {
    git(src, 'init', '-q');
    git(src, 'add', '.');
    git(src, 'commit', '-q', '-m', 'release');
    git(src, 'tag', 'v1.2.3');
  }
  return src;
}

async function recordPip(entry) {
  const dir = freshProject(entry.id);
  const pip = venv(dir);
  sourceCopy(entry, dir);
  const command = [pip, 'install', '--no-index', '--no-build-isolation', `./${entry.source}`];
  const result = await recordUnderSensor(dir, command, { PIP_DISABLE_PIP_VERSION_CHECK: '1' });
  return finish('pip', entry, dir, command, result, {});
}

async function recordCargo(entry) {
  const dir = freshProject(entry.id);
  const src = sourceCopy(entry, dir);
  const command = ['cargo', 'build', '--offline', '--manifest-path', join(src, 'Cargo.toml')];
  const result = await recordUnderSensor(dir, command, { CARGO_TARGET_DIR: join(dir, 'target') });
  return finish('cargo', entry, dir, command, result, {});
}

const wanted = new Set(process.argv.slice(2));
const pick = (list) => list.filter((e) => wanted.size === 0 || wanted.has(e.id));
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run build first`);
mkdirSync(dirname(INDEX), { recursive: true });
for (const entry of pick(NPM_INSTALLS)) await recordNpm(entry);
for (const entry of pick(PIP_INSTALLS)) await recordPip(entry);
for (const entry of pick(CARGO_BUILDS)) await recordCargo(entry);
