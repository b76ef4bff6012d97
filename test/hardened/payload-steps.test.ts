/**
 * Payload steps the live malicious corpus showed the pack missing (issue 24 item 4): a second
 * stage started from the temporary folder, and a self-hosted CI runner registered by install-time
 * code — each against the benign installs that run programs from similar places.
 */
import { describe, expect, it } from 'vitest';
import { alertTitles, Chain, type Proc } from './chain.js';

const DROPPED = 'Program Started From a Temporary Folder Inside a Package Install Subtree';
const RUNNER = 'CI Runner Registered From a Package Install Subtree';
const PERSONAL = "Install-Time Code Writing Into the User's Desktop or Documents";

function npmScript(script: string, root = '/home/dev/app'): { c: Chain; sh: Proc; node: Proc } {
  const c = new Chain('dev-1', 'linux');
  const bash = c.root('/usr/bin/bash', 'bash', root);
  const npm = c.spawn(bash, '/usr/bin/node', 'node /usr/bin/npm install');
  const sh = c.spawn(npm, '/bin/sh', `sh -c ${script}`, { cwd: `${root}/node_modules/pkg`, dt: 2000 });
  const node = c.spawn(sh, '/usr/bin/node', script);
  return { c, sh, node };
}

describe('a program started from the temporary folder inside an install', () => {
  it('is the dropped second stage: coa/rc (lifecycle script) and rustdecimal (cargo test binary)', async () => {
    const { c, node } = npmScript('node compile.js');
    c.spawn(node, '/tmp/sdd', '/tmp/sdd');
    const cargo = new Chain('ci-1', 'linux');
    const bash = cargo.root('/bin/sh', 'sh -c cargo test', '/builds/app');
    const run = cargo.spawn(bash, '/home/ci/.cargo/bin/cargo', 'cargo test');
    const test = cargo.spawn(run, '/builds/app/target/debug/deps/app-6d8b60678880d3c8', '/builds/app/target/debug/deps/app-6d8b60678880d3c8');
    cargo.spawn(test, '/tmp/git-updater.bin', '/tmp/git-updater.bin');
    const win = new Chain('WS-1', 'windows');
    const ps = win.root('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell.exe', 'C:\\src\\app');
    const npm = win.spawn(ps, 'C:\\Program Files\\nodejs\\node.exe', '"C:\\Program Files\\nodejs\\node.exe" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install');
    const cmd = win.spawn(npm, 'C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\system32\\cmd.exe /d /s /c "compile.bat"');
    win.spawn(cmd, 'C:\\Users\\dev\\AppData\\Local\\Temp\\sdd.exe', 'sdd.exe');
    expect((await alertTitles(c)).filter((t) => t === DROPPED)).toHaveLength(1);
    expect((await alertTitles(cargo)).filter((t) => t === DROPPED)).toHaveLength(1);
    expect((await alertTitles(win)).filter((t) => t === DROPPED)).toHaveLength(1);
  });

  it('is quiet for package and build layouts in /tmp: node_modules/.bin, a venv, pip build envs, configure conftest, cargo target', async () => {
    const { c, sh } = npmScript('node-gyp-build', '/tmp/swrec/app');
    c.spawn(sh, '/tmp/swrec/app/node_modules/.bin/node-gyp-build', '/tmp/swrec/app/node_modules/.bin/node-gyp-build');
    const pip = c.spawn(c.root('/bin/bash', 'bash', '/tmp/w'), '/tmp/w/venv/bin/python3', '/tmp/w/venv/bin/python3 /tmp/w/venv/bin/pip install ./x');
    c.spawn(pip, '/tmp/w/venv/bin/python3', '/tmp/w/venv/bin/python3 -c import sys');
    const hook = c.spawn(pip, '/tmp/w/venv/bin/python3', '/tmp/w/venv/bin/python3 /tmp/w/venv/lib/python3.11/site-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py build_wheel /tmp/t');
    c.spawn(hook, '/tmp/pip-build-env-z1x2c3v4/overlay/bin/maturin', 'maturin pep517 build-wheel');
    const configure = c.spawn(sh, '/bin/sh', 'sh ./configure --prefix=/tmp/8a1f2c3d-0b4e-4f5a-9c6d-7e8f9a0b1c2d/out', { cwd: '/tmp/8a1f2c3d-0b4e-4f5a-9c6d-7e8f9a0b1c2d' });
    c.spawn(configure, '/tmp/8a1f2c3d-0b4e-4f5a-9c6d-7e8f9a0b1c2d/conftest', './conftest');
    expect((await alertTitles(c)).filter((t) => t === DROPPED)).toEqual([]);
  });

  it('is quiet outside installs (a developer running a tool from /tmp)', async () => {
    const c = new Chain('dev-2', 'linux');
    c.spawn(c.root('/usr/bin/bash', 'bash', '/home/dev'), '/tmp/tool', '/tmp/tool --help');
    expect(await alertTitles(c)).toEqual([]);
  });
});

describe('a CI runner registered by install-time code', () => {
  it('alerts on config.sh with --url and --token below a lifecycle script (Sha1-Hulud 2)', async () => {
    const { c, node } = npmScript('node setup_bun.js');
    const sh = c.spawn(node, '/bin/sh', '/bin/sh -c cd ~/.dev-env && ./config.sh --url https://github.com/victim/repo --unattended --token AAAA --name SHA1HULUD');
    c.spawn(sh, '/home/dev/.dev-env/config.sh', './config.sh --url https://github.com/victim/repo --unattended --token AAAA --name SHA1HULUD');
    expect((await alertTitles(c)).filter((t) => t === RUNNER)).toHaveLength(2);
  });

  it('is quiet when an administrator registers a runner from a shell', async () => {
    const c = new Chain('ci-host', 'linux');
    c.spawn(c.root('/usr/bin/bash', 'bash', '/opt/actions-runner'), '/opt/actions-runner/config.sh', './config.sh --url https://github.com/org/repo --token AAAA');
    expect(await alertTitles(c)).toEqual([]);
  });
});

describe("install-time code writing into the user's personal folders", () => {
  it('alerts on a note dropped on the Desktop or in OneDrive (node-ipc/peacenotwar)', async () => {
    const { c, node } = npmScript('node dao/ssl-geospec.js');
    c.write(node, '/home/dev/Desktop/WITH-LOVE-FROM-AMERICA.txt');
    c.write(node, '/home/dev/OneDrive - Corp/WITH-LOVE-FROM-AMERICA.txt');
    expect((await alertTitles(c)).filter((t) => t === PERSONAL)).toHaveLength(2);
  });

  it('is quiet for a project kept under ~/Documents (hooks and build outputs are deeper) and for npm itself', async () => {
    const c = new Chain('mac-1', 'linux');
    const zsh = c.root('/bin/zsh', '-zsh', '/Users/ana/Documents/site');
    const npm = c.spawn(zsh, '/usr/local/bin/node', 'node /usr/local/bin/npm install');
    c.write(npm, '/Users/ana/Documents/package-lock.json');
    const sh = c.spawn(npm, '/bin/sh', 'sh -c husky', { cwd: '/Users/ana/Documents/site' });
    const husky = c.spawn(sh, '/usr/local/bin/node', 'node /Users/ana/Documents/site/node_modules/.bin/husky');
    c.write(husky, '/Users/ana/Documents/site/.husky/_/pre-commit');
    expect(await alertTitles(c)).toEqual([]);
  });
});
