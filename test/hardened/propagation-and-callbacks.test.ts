/**
 * Live malicious corpus misses (issue 24 item 4): a worm publishing from install-time code
 * (Shai-Hulud), a runtime's named download that is low alone but part of a payload when the
 * same install run also does a payload step (coa/rc), and DNS labels carrying hex-encoded text
 * from package code at import time, outside any install (torchtriton) — each beside the benign
 * activity closest to it.
 */
import { describe, expect, it } from 'vitest';
import { alertTitles, Chain, type Proc } from './chain.js';

const PUBLISH = 'Package Published or Registry Login From a Package Install Script';
const NAMED_HUNT = 'Script Runtime in an Install Subtree Fetching From a Named Non-Registry Host (hunting)';
const NAMED_WITH_DROPPED = "Script Runtime's Named Egress in an Install That Also Started a Program From the Temporary Folder";
const NAMED_WITH_CREDENTIALS = "Script Runtime's Named Egress in an Install That Also Read a Credential File";
const DNS_TEXT = 'DNS Query Carrying Hex-Encoded Text From Package Code Outside an Install';

function npmScript(c: Chain, script: string, pkg = 'pkg'): { npm: Proc; node: Proc } {
  const bash = c.root('/usr/bin/bash', 'bash', '/home/dev/app');
  const npm = c.spawn(bash, '/usr/bin/node', 'node /usr/bin/npm install');
  const sh = c.spawn(npm, '/bin/sh', `sh -c ${script}`, { cwd: `/home/dev/app/node_modules/${pkg}`, dt: 2000 });
  const node = c.spawn(sh, '/usr/bin/node', script);
  return { npm, node };
}

describe('publishing or registry login by install-time code', () => {
  it('alerts on the worm republishing (npm, pnpm, yarn berry, twine, cargo, gem, dotnet) and on npm token theft', async () => {
    const c = new Chain('dev-1', 'linux');
    const { node } = npmScript(c, 'node bundle.js', '@ctrl/tinycolor');
    c.spawn(node, '/usr/bin/node', 'node /usr/bin/npm publish', { cwd: '/tmp/republish' });
    c.spawn(node, '/bin/sh', '/bin/sh -c cd /tmp/x && npm --access public publish');
    c.spawn(node, '/usr/bin/node', 'node /usr/lib/node_modules/pnpm/bin/pnpm.cjs publish --no-git-checks');
    c.spawn(node, '/usr/bin/node', 'node /home/dev/.yarn/releases/yarn-4.1.0.cjs npm publish');
    c.spawn(node, '/usr/bin/node', 'node /usr/bin/npm token create --read-only=false');
    c.spawn(node, '/usr/bin/python3', 'python3 -m twine upload dist/*');
    c.spawn(node, '/home/dev/.cargo/bin/cargo', 'cargo +stable publish --allow-dirty');
    c.spawn(node, '/usr/bin/ruby3.1', 'ruby3.1 /usr/bin/gem push evil-1.0.0.gem');
    const win = new Chain('WS-1', 'windows');
    const ps = win.root('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell.exe', 'C:\\src\\app');
    const npm = win.spawn(ps, 'C:\\Program Files\\nodejs\\node.exe', '"C:\\Program Files\\nodejs\\node.exe" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install');
    const cmd = win.spawn(npm, 'C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\system32\\cmd.exe /d /s /c "node index.js"', { cwd: 'C:\\src\\app\\node_modules\\pkg' });
    const payload = win.spawn(cmd, 'C:\\Program Files\\nodejs\\node.exe', 'node index.js');
    win.spawn(payload, 'C:\\Program Files\\nodejs\\node.exe', '"C:\\Program Files\\nodejs\\node.exe" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" adduser');
    win.spawn(payload, 'C:\\Program Files\\dotnet\\dotnet.exe', '"C:\\Program Files\\dotnet\\dotnet.exe" nuget push evil.nupkg --api-key X --source https://api.nuget.org/v3/index.json');
    expect((await alertTitles(c)).filter((t) => t === PUBLISH)).toHaveLength(8);
    expect((await alertTitles(win)).filter((t) => t === PUBLISH)).toHaveLength(2);
  });

  it('is quiet for a maintainer publishing, for scripts named publish, and for packages named like the verb', async () => {
    const c = new Chain('dev-2', 'linux');
    const bash = c.root('/usr/bin/bash', 'bash', '/home/dev/lib');
    // `npm publish` runs prepublishOnly/prepack through a shell: a publish, not an install.
    const publish = c.spawn(bash, '/usr/bin/node', 'node /usr/bin/npm publish');
    const prepack = c.spawn(publish, '/bin/sh', 'sh -c npm run build', { dt: 500 });
    c.spawn(prepack, '/usr/bin/node', 'node /usr/bin/npm run build');
    c.spawn(bash, '/usr/bin/python3', 'python3 -m twine upload dist/*');
    // Inside an install: a project script named "publish" and a package named "publish-tool".
    const { node } = npmScript(c, 'node scripts/prepare.js');
    c.spawn(node, '/usr/bin/node', 'node /usr/bin/npm run publish');
    c.spawn(node, '/usr/bin/node', 'node /usr/bin/npm install publish-tool');
    expect((await alertTitles(c)).filter((t) => t === PUBLISH)).toEqual([]);
  });
});

describe('named runtime egress joined to a payload step of the same install run', () => {
  it('raises the download of a second stage that the install then starts from the temporary folder (coa/rc)', async () => {
    const c = new Chain('dev-3', 'linux');
    const { node } = npmScript(c, 'node compile.js', 'coa');
    c.resolve(node, 'pastorcryptograph.at', '198.51.100.21');
    c.connect(node, '198.51.100.21', undefined, 100, 80);
    c.write(node, '/tmp/sdd');
    c.spawn(node, '/tmp/sdd', '/tmp/sdd');
    const titles = await alertTitles(c);
    expect(titles).toContain(NAMED_HUNT);
    expect(titles).toContain(NAMED_WITH_DROPPED);
  });

  it('raises a token thief: a credential file read and a named upload in one install (eslint-scope with a file-open sensor)', async () => {
    const c = new Chain('dev-4', 'linux');
    const { node } = npmScript(c, 'node ./lib/build.js', 'eslint-scope');
    c.open(node, '/home/dev/.npmrc');
    c.connect(node, '198.51.100.22', 'histats.example', 100, 443);
    expect(await alertTitles(c)).toContain(NAMED_WITH_CREDENTIALS);
  });

  it('stays low for a vendor download alone, and never joins two installs on the same host', async () => {
    const c = new Chain('dev-5', 'linux');
    // Install 1: playwright's browser download, nothing else.
    const { node: download } = npmScript(c, 'node install.js', 'playwright-core');
    c.connect(download, '198.51.100.40', 'cdn.playwright.dev');
    // Install 2, later on the same host: coa's dropped binary, without any named download.
    const { node: coa } = npmScript(c, 'node compile.js', 'coa');
    c.spawn(coa, '/tmp/sdd', '/tmp/sdd');
    const titles = await alertTitles(c);
    expect(titles).toContain(NAMED_HUNT);
    expect(titles.filter((t) => t.startsWith("Script Runtime's Named Egress in an Install"))).toEqual([]);
  });
});

describe('hex-encoded text in DNS names from package code outside installs', () => {
  it('alerts at import time: a runtime or a program in site-packages asking for <hex text>.<domain> (torchtriton)', async () => {
    const c = new Chain('gpu-1', 'linux');
    const bash = c.root('/usr/bin/bash', 'bash', '/home/dev/proj');
    const py = c.spawn(bash, '/home/dev/proj/.venv/bin/python', 'python -c import triton');
    const triton = c.spawn(py, '/home/dev/proj/.venv/lib/python3.11/site-packages/triton/runtime/triton', '/home/dev/proj/.venv/lib/python3.11/site-packages/triton/runtime/triton');
    c.resolve(triton, '75736572.1.h4ck.cfd', '198.51.100.9'); // "user"
    c.resolve(py, '69645f65643235353139.2.h4ck.cfd', '198.51.100.9'); // "id_ed25519"
    expect((await alertTitles(c)).filter((t) => t === DNS_TEXT)).toHaveLength(2);
  });

  it('is quiet for random hex identifiers in host names, for short labels, and for other programs', async () => {
    const c = new Chain('dev-6', 'linux');
    const bash = c.root('/usr/bin/bash', 'bash', '/home/dev/proj');
    const py = c.spawn(bash, '/usr/bin/python3', 'python3 sync.py');
    // An R2 account id and a content hash: random bytes, not printable text.
    c.resolve(py, '9f86d081884c7d659a2feaa0c55ad015.r2.cloudflarestorage.com', '198.51.100.30');
    c.resolve(py, 'e3b0c44298fc1c14.cdn.example', '198.51.100.31');
    c.resolve(py, '766d.0.h4ck.cfd', '198.51.100.9'); // two bytes only
    const curl = c.spawn(bash, '/usr/bin/curl', 'curl https://x');
    c.resolve(curl, '75736572.1.h4ck.cfd', '198.51.100.9');
    expect((await alertTitles(c)).filter((t) => t === DNS_TEXT)).toEqual([]);
  });
});
