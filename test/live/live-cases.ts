import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AlertRecord } from '../sensor/sensor-cli.js';
import { isC2Address, type C2Server } from './c2.js';

/**
 * The live malicious corpus: each case installs (or builds, or starts) one reproduction of a
 * real incident from test/live/packages/, whose payloads touch only the loopback interface (the
 * registry on 127.0.0.154, the attacker stand-ins on 198.51.100.0/24 added to `lo`) and the test's own
 * folders (the victim's home under /var/lib, its temp folder), removed after. `ran` checks the payload really did its work (so a miss is the
 * detector's, not the reproduction's); `steps` are what makes it malicious, each of which an
 * alert at medium or above must name.
 */
export interface LiveContext {
  root: string;
  home: string;
  tmp: string;
  project: string;
  registryUrl: string;
  /** What the loopback registry was asked, as `METHOD path`. */
  registryRequests: string[];
  c2: C2Server;
}

export interface MaliciousStep {
  what: string;
  named(alert: AlertRecord, ctx: LiveContext): boolean;
}

export interface LiveCase {
  id: string;
  incident: string;
  tool: 'npm' | 'pip' | 'cargo' | 'action';
  /** Folders under test/live/packages/ published to the loopback registry (npm). */
  publish?: string[];
  /** Folder under test/live/packages/ copied (with substitutions) into the project (pip, cargo, action). */
  source?: string;
  /** Extra fields of the project's package.json (npm), and files written into the project. */
  project?: Record<string, unknown>;
  projectFiles?: Record<string, string>;
  /** Fake command-line tools put first on PATH: name → script body. */
  fakeTools?: Record<string, string>;
  env?: Record<string, string>;
  /** Sets up what the payload finds on the victim machine (files in home or temp). */
  prepare?(ctx: LiveContext): void;
  /** The command run under `supplywatch run`, in the project folder. */
  command(ctx: LiveContext, tools: { pip: string; python: string }): string[];
  ran(ctx: LiveContext): void;
  steps: MaliciousStep[];
}

const s = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '' : String(v));
const cmd = (a: AlertRecord) => s(a.fields.CommandLine);
const img = (a: AlertRecord) => s(a.fields.Image);
const c2Hit = (ctx: LiveContext, prefix: string) => ctx.c2.requests.some((r) => r.path.startsWith(prefix));
const connectsToC2 = (a: AlertRecord, ctx: LiveContext) =>
  a.category === 'network_connection' && isC2Address(a.fields.DestinationIp) && ctx.c2.ports.includes(Number(a.fields.DestinationPort));
const fakeTool = '#!/bin/sh\n# A stand-in for the real CLI: prints a line and exits.\necho ok\n';
const npmInstall = (name: string) => (ctx: LiveContext) => ['npm', 'install', name, '--registry', ctx.registryUrl, '--foreground-scripts', '--no-audit', '--no-fund', '--no-update-notifier'];
const npmInstallProject = (ctx: LiveContext) => ['npm', 'install', '--registry', ctx.registryUrl, '--foreground-scripts', '--no-audit', '--no-fund', '--no-update-notifier'];

export const LIVE_CASES: LiveCase[] = [
  {
    id: 'ua-parser-js-preinstall-miner',
    incident: 'ua-parser-js 0.7.29 (Oct 2021)',
    tool: 'npm',
    publish: ['ua-parser-js'],
    command: npmInstall('ua-parser-js'),
    ran: (ctx) => {
      expect(c2Hit(ctx, '/download/jsextension')).toBe(true);
      expect(existsSync(join(ctx.project, 'node_modules/ua-parser-js/jsextension'))).toBe(true);
    },
    steps: [
      { what: 'curl downloading jsextension', named: (a) => /curl/.test(img(a)) && cmd(a).includes('/download/jsextension') },
      { what: 'the jsextension miner started with its pool', named: (a) => img(a).endsWith('/jsextension') && cmd(a).includes('pool.minexmr.com:443') },
    ],
  },
  {
    id: 'coa-preinstall-dropped-binary',
    incident: 'coa 2.0.3 / rc 1.2.9 (Nov 2021)',
    tool: 'npm',
    publish: ['coa'],
    command: npmInstall('coa'),
    ran: (ctx) => {
      expect(c2Hit(ctx, '/download/linux-')).toBe(true);
      expect(existsSync(join(ctx.tmp, 'sdd'))).toBe(true);
    },
    steps: [
      { what: 'the binary downloaded into the temp folder, started', named: (a, ctx) => img(a) === join(ctx.tmp, 'sdd') },
      { what: 'node (compile.js) downloading it', named: connectsToC2 },
    ],
  },
  {
    id: 'eslint-scope-postinstall-token-theft',
    incident: 'eslint-scope 3.7.2 (Jul 2018)',
    tool: 'npm',
    publish: ['eslint-scope'],
    command: npmInstall('eslint-scope'),
    ran: (ctx) => {
      expect(c2Hit(ctx, '/raw/XLeVP82h')).toBe(true);
      expect(ctx.c2.requests.some((r) => r.path === '/counter.php')).toBe(true);
    },
    steps: [{ what: 'node (lib/build.js) fetching code and sending the token', named: connectsToC2 }],
  },
  {
    id: 'event-stream-flatmap-stream-build',
    incident: 'event-stream 3.3.6 / flatmap-stream 0.1.1 (Nov 2018)',
    tool: 'npm',
    publish: ['flatmap-stream', 'event-stream'],
    project: {
      description: 'A Secure Bitcoin Wallet',
      dependencies: { 'event-stream': '3.3.6' },
      scripts: { postinstall: 'node build.js' },
    },
    projectFiles: { 'build.js': "// The wallet's build step: loads its stream helpers.\nrequire('event-stream');\n" },
    command: npmInstallProject,
    ran: (ctx) => expect(ctx.c2.requests.some((r) => r.method === 'POST' && r.path === '/bws/api')).toBe(true),
    steps: [{
      what: "node (the project's build) posting wallet data to copayapi.host:8080",
      named: connectsToC2,
    }],
  },
  {
    id: 'node-ipc-geo-wiper',
    incident: 'node-ipc 10.1.1 / peacenotwar (Mar 2022, CVE-2022-23812)',
    tool: 'npm',
    publish: ['node-ipc'],
    project: { dependencies: { 'node-ipc': '10.1.1' }, scripts: { postinstall: 'node serve.js' } },
    projectFiles: { 'serve.js': "// The project's post-install step starts its IPC helper.\nrequire('node-ipc');\n" },
    prepare: (ctx) => {
      mkdirSync(join(ctx.tmp, 'node-ipc-victim'));
      writeFileSync(join(ctx.tmp, 'node-ipc-victim', 'notes.txt'), 'meeting notes\n');
    },
    command: npmInstallProject,
    ran: (ctx) => {
      expect(c2Hit(ctx, '/ipgeo')).toBe(true);
      expect(readFileSync(join(ctx.tmp, 'node-ipc-victim', 'notes.txt'), 'utf8')).toBe('❤️');
      expect(existsSync(join(ctx.home, 'Desktop', 'WITH-LOVE-FROM-AMERICA.txt'))).toBe(true);
    },
    steps: [
      { what: 'node asking the geolocation service', named: connectsToC2 },
      // The overwriting itself happens here in a temp folder, where writes prove nothing; the
      // message dropped in the user's home, outside anything an install owns, is the file step.
      { what: 'WITH-LOVE-FROM-AMERICA.txt dropped on the Desktop', named: (a, ctx) => s(a.fields.TargetFilename) === join(ctx.home, 'Desktop', 'WITH-LOVE-FROM-AMERICA.txt') },
    ],
  },
  {
    id: 'shai-hulud-postinstall-worm',
    incident: 'Shai-Hulud (Sep 2025)',
    tool: 'npm',
    publish: ['shai-hulud'],
    command: npmInstall('@ctrl/tinycolor'),
    ran: (ctx) => {
      expect(c2Hit(ctx, '/trufflesecurity/')).toBe(true);
      expect(existsSync(join(ctx.tmp, 'victim-repo/.github/workflows/shai-hulud-workflow.yml'))).toBe(true);
      expect(c2Hit(ctx, '/bb8ca5f6-4175-45d2-b042-fc9ebb8170b7')).toBe(true);
      expect(ctx.registryRequests).toContain('PUT /victim-package');
    },
    steps: [
      { what: 'TruffleHog scanning the file system', named: (a) => img(a).endsWith('/trufflehog') && cmd(a).includes('filesystem') },
      { what: 'shai-hulud-workflow.yml written', named: (a) => s(a.fields.TargetFilename).endsWith('.github/workflows/shai-hulud-workflow.yml') },
      // Not the registry flag: the worm publishes with the victim's configuration, so the alert
      // must be about publishing from inside an install.
      { what: 'npm publish of the infected copy', named: (a) => /(^|\/|\s)npm(-cli\.js)? publish(\s|$)/.test(cmd(a)) && !cmd(a).includes('--registry') },
    ],
  },
  {
    id: 'sha1-hulud-2-preinstall-bun-runner',
    incident: 'Sha1-Hulud "The Second Coming" (Nov 2025)',
    tool: 'npm',
    publish: ['sha1-hulud-2'],
    command: npmInstall('@asyncapi/specs'),
    ran: (ctx) => {
      expect(existsSync(join(ctx.home, '.bun/bin/bun'))).toBe(true);
      expect(existsSync(join(ctx.home, '.dev-env/config.sh'))).toBe(true);
      expect(existsSync(join(ctx.project, '.github/workflows/discussion.yaml'))).toBe(true);
      expect(c2Hit(ctx, '/repos/victim/sha1-hulud-repo/')).toBe(true);
    },
    steps: [
      { what: 'curl | bash installing Bun', named: (a) => /curl -fsSL \S+\/install \| bash/.test(cmd(a)) },
      { what: 'TruffleHog from ~/.truffler-cache', named: (a) => img(a).endsWith('/.truffler-cache/trufflehog') },
      { what: 'the self-hosted runner registered as SHA1HULUD', named: (a) => cmd(a).includes('--name SHA1HULUD') },
      { what: '.github/workflows/discussion.yaml written', named: (a) => s(a.fields.TargetFilename).endsWith('.github/workflows/discussion.yaml') },
    ],
  },
  {
    id: 'nx-s1ngularity-ai-cli',
    incident: 'nx 21.5.0 "s1ngularity" (Aug 2025)',
    tool: 'npm',
    publish: ['nx-s1ngularity'],
    fakeTools: { claude: fakeTool, gemini: fakeTool, q: fakeTool, gh: '#!/bin/sh\n# A stand-in for gh: a fake token.\necho gho_REDACTED\n' },
    command: npmInstall('nx'),
    ran: (ctx) => {
      expect(readFileSync(join(ctx.home, '.bashrc'), 'utf8')).toContain('sudo shutdown -h 0');
      expect(ctx.c2.requests.some((r) => r.path === '/user/repos' && r.body.includes('s1ngularity-repository'))).toBe(true);
    },
    steps: [
      { what: 'claude --dangerously-skip-permissions', named: (a) => /(^|\/)claude$/.test(img(a)) && cmd(a).includes('--dangerously-skip-permissions') },
      { what: 'gemini --yolo', named: (a) => /(^|\/)gemini$/.test(img(a)) && cmd(a).includes('--yolo') },
      { what: 'q chat --trust-all-tools', named: (a) => /(^|\/)q$/.test(img(a)) && cmd(a).includes('--trust-all-tools') },
      { what: 'gh auth token', named: (a) => /(^|\/)gh$/.test(img(a)) && cmd(a).includes('auth token') },
    ],
  },
  {
    id: 'dependency-confusion-dns-callback',
    incident: 'dependency confusion (Birsan, Feb 2021)',
    tool: 'npm',
    publish: ['dependency-confusion'],
    command: npmInstall('acme-internal-billing-utils'),
    ran: (ctx) => expect(c2Hit(ctx, '/callback')).toBe(true),
    steps: [
      { what: 'the DNS query carrying host, user and folder', named: (a) => a.category === 'dns_query' && s(a.fields.QueryName).endsWith('.dnscallback.invalid') },
      { what: 'the HTTP callback', named: connectsToC2 },
    ],
  },
  {
    id: 'tj-actions-changed-files-memdump',
    incident: 'tj-actions/changed-files (Mar 2025, CVE-2025-30066)',
    tool: 'action',
    source: 'tj-actions-changed-files',
    env: { GITHUB_ACTIONS: 'true', CI: 'true' },
    command: (ctx) => ['node', join(ctx.project, 'tj-actions-changed-files/dist/index.js')],
    ran: (ctx) => expect(c2Hit(ctx, '/nikitastupin/')).toBe(true),
    steps: [
      {
        what: 'memdump.py piped into sudo python3 and grep for "isSecret":true',
        named: (a) => cmd(a).includes('memdump.py') && cmd(a).includes('"isSecret":true'),
      },
    ],
  },
  {
    id: 'ultralytics-import-miner',
    incident: 'ultralytics 8.3.41 (PyPI, Dec 2024)',
    tool: 'pip',
    source: 'ultralytics-pip',
    command: (_ctx, { pip, python }) => ['sh', '-c', `${pip} install --no-index --no-build-isolation ./ultralytics-pip && ${python} -c 'import ultralytics'`],
    ran: (ctx) => expect(c2Hit(ctx, '/xmrig/xmrig/releases/')).toBe(true),
    // The download alone (wget in a python program, outside any install) is not the malicious
    // step; the miner it starts is.
    steps: [{ what: 'xmrig started with its pool', named: (a) => cmd(a).includes('./xmrig') && cmd(a).includes('connect.consrensys.com:8080') }],
  },
  {
    id: 'torchtriton-import-dns-exfil',
    incident: 'torchtriton 3.0.0 (PyPI, Dec 2022)',
    tool: 'pip',
    source: 'torchtriton-pip',
    command: (_ctx, { pip, python }) => ['sh', '-c', `${pip} install --no-index --no-build-isolation ./torchtriton-pip && ${python} -c 'import triton'`],
    ran: () => undefined,
    steps: [{ what: 'DNS queries under h4ck.cfd carrying the collected data', named: (a) => a.category === 'dns_query' && s(a.fields.QueryName).endsWith('.h4ck.cfd') }],
  },
  {
    id: 'rustdecimal-gitlab-ci-dropper',
    incident: 'rustdecimal 1.23.1 (crates.io, May 2022)',
    tool: 'cargo',
    source: 'rustdecimal-cargo',
    env: { GITLAB_CI: 'true' },
    command: (ctx) => ['cargo', 'test', '--offline', '--manifest-path', join(ctx.project, 'rustdecimal-cargo/Cargo.toml')],
    ran: (ctx) => {
      expect(c2Hit(ctx, '/v2/id/')).toBe(true);
      expect(existsSync(join(ctx.tmp, 'git-updater.bin'))).toBe(true);
    },
    steps: [
      { what: '/tmp/git-updater.bin started', named: (a, ctx) => img(a) === join(ctx.tmp, 'git-updater.bin') },
      { what: 'the test binary downloading it', named: connectsToC2 },
    ],
  },
];
