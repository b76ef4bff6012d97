/**
 * The seed's four Atomic Red Team tests (docs/atomic.md), as data: what runs here on Linux
 * (harmless: a workspace folder under the temp directory, a loopback registry, no credentials),
 * the Windows commands printed for the user with the events the seed expects, and the marker
 * that finds a test's events in an exported telemetry file (`atomic verify`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packPackage, startRegistry, type LoopbackRegistry } from './registry.js';
import type { Workspace } from './workspace.js';

export interface PreparedRun {
  /** The command `supplywatch run` traces, run in `ws.work`. */
  command: string[];
  /** Files whose presence shows the test's behaviour ran (relative to the workspace root). */
  evidence: string[];
  /** Stops what the preparation started (the registry). */
  stop(): Promise<void>;
  /** Extra lines for the report (the registry's port and requests). */
  notes(): string[];
}

export interface AtomicTest {
  number: number;
  name: string;
  /** What the test does on this machine. */
  linux: string;
  /** The seed's expected signal, on Windows (Sysmon / Defender). */
  expectedWindows: string[];
  /** Commands to run on a Windows test host (cmd.exe), in order, then the cleanup. */
  windows: string[];
  windowsCleanup: string[];
  /** Finds this test's events in an alert line's event (verify). */
  marker: RegExp;
  prepare(ws: Workspace, tools: Tools): Promise<PreparedRun>;
}

export interface Tools {
  npm: string;
  python: string;
}

const nothingToStop = async () => {};
const noNotes = () => [];

/** The seed's test 4 port (Verdaccio's default); a free port when it is taken. */
export const REGISTRY_PORT = 4873;

export const ATOMIC_TESTS: readonly AtomicTest[] = [
  {
    number: 1,
    name: 'Simulated Malicious npm postinstall Hook',
    linux: 'npm install (offline, no dependencies) of a project whose postinstall runs `whoami > "$TMPDIR/argus-npm-test.txt"`',
    expectedWindows: [
      "Sysmon Event ID 1: npm.cmd spawning cmd.exe with CommandLine containing 'whoami'",
      'Sysmon Event ID 11: file creation at %TEMP%\\argus-npm-test.txt',
      'DeviceProcessEvents: InitiatingProcessFileName=npm.cmd, FileName=cmd.exe',
    ],
    windows: [
      'mkdir %TEMP%\\argus-npm-test && cd /d %TEMP%\\argus-npm-test',
      'echo {"name":"argus-npm-test","version":"1.0.0","private":true,"scripts":{"postinstall":"whoami > %%TEMP%%\\\\argus-npm-test.txt"}} > package.json',
      'npm install --no-audit --no-fund --offline',
    ],
    windowsCleanup: ['cd /d %TEMP% && rmdir /s /q %TEMP%\\argus-npm-test', 'del %TEMP%\\argus-npm-test.txt'],
    marker: /argus-npm-test/,
    async prepare(ws, tools) {
      const manifest = { name: 'argus-npm-test', version: '1.0.0', private: true, scripts: { postinstall: 'whoami > "$TMPDIR/argus-npm-test.txt"' } };
      writeFileSync(join(ws.work, 'package.json'), JSON.stringify(manifest, null, 2));
      return { command: [tools.npm, 'install', '--no-audit', '--no-fund', '--offline'], evidence: ['tmp/argus-npm-test.txt'], stop: nothingToStop, notes: noNotes };
    },
  },
  {
    number: 2,
    name: 'Malicious pip setup.py Simulating Credential Exfiltration Pattern',
    linux: 'pip install (no index, no build isolation, into a target folder of the workspace) of a local sdist whose setup.py runs `id` through sh',
    expectedWindows: [
      'Sysmon for Linux (or auditd): process creation with ParentProcess=python3/pip, ChildProcess=id or sh',
      'Auditd syscall execve with ppid of pip process',
      "Syslog: process accounting entry for 'id' with parent pip",
    ],
    windows: [
      '(a Linux test: run it on a Linux host with Sysmon for Linux or auditd)',
      'mkdir -p /tmp/argus-pip-test && cd /tmp/argus-pip-test',
      "printf 'import subprocess\\nfrom setuptools import setup\\nsubprocess.run([\"sh\", \"-c\", \"id > /tmp/argus-pip-test.txt\"])\\nsetup(name=\"argus-pip-test\", version=\"1.0.0\", py_modules=[])\\n' > setup.py",
      'python3 -m pip install --no-build-isolation --no-index --no-deps --target /tmp/argus-pip-target .',
    ],
    windowsCleanup: ['rm -rf /tmp/argus-pip-test /tmp/argus-pip-target /tmp/argus-pip-test.txt'],
    marker: /argus-pip-test/,
    async prepare(ws, tools) {
      const pkg = join(ws.work, 'argus-pip-test');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        join(pkg, 'setup.py'),
        [
          '# Atomic test 2 (supplywatch): code in setup.py runs at install time; here it only runs id.',
          'import subprocess',
          'from setuptools import setup',
          'subprocess.run(["sh", "-c", \'id > "$TMPDIR/argus-pip-test.txt"\'], check=False)',
          'setup(name="argus-pip-test", version="1.0.0", py_modules=[])',
          '',
        ].join('\n'),
      );
      const command = [tools.python, '-m', 'pip', 'install', '--no-build-isolation', '--no-index', '--no-deps', '--no-cache-dir', '--disable-pip-version-check', '--target', join(ws.root, 'site'), pkg];
      return { command, evidence: ['tmp/argus-pip-test.txt'], stop: nothingToStop, notes: noNotes };
    },
  },
  {
    number: 3,
    name: 'Simulated GitHub Actions Workflow Poisoning',
    linux: 'a shell (not git, not an editor) writes .github/workflows/ci.yml in a scratch repository folder',
    expectedWindows: [
      'Sysmon Event ID 11 (FileCreated): TargetFilename ending in .github\\workflows\\ci.yml, InitiatingProcessFileName=cmd.exe',
      'DeviceFileEvents: FileName=ci.yml, FolderPath contains .github/workflows, ActionType=FileCreated',
    ],
    windows: [
      'mkdir %TEMP%\\argus-workflow-test\\.github\\workflows',
      'cmd.exe /c "echo on: push> %TEMP%\\argus-workflow-test\\.github\\workflows\\ci.yml"',
    ],
    windowsCleanup: ['rmdir /s /q %TEMP%\\argus-workflow-test'],
    marker: /\.github[\\/]+workflows[\\/]+ci\.yml/,
    async prepare() {
      const script = "mkdir -p .github/workflows && printf 'on: push\\njobs:\\n  argus:\\n    runs-on: ubuntu-latest\\n    steps:\\n      - run: echo argus-workflow-test\\n' > .github/workflows/ci.yml";
      return { command: ['/bin/sh', '-c', script], evidence: ['work/.github/workflows/ci.yml'], stop: nothingToStop, notes: noNotes };
    },
  },
  {
    number: 4,
    name: 'npm Package Install from Non-Standard Registry (Registry Confusion)',
    linux: `npm install --registry http://127.0.0.1:${REGISTRY_PORT} of a one-file package served by a loopback registry that this command starts (a free port if ${REGISTRY_PORT} is taken)`,
    expectedWindows: [
      'Sysmon EventCode=3 (Network Connection): Image=node, DestinationIp=127.0.0.1, DestinationPort=4873, DestinationHostname not in standard registry allowlist',
      'DeviceNetworkEvents: InitiatingProcessFileName=node, RemotePort=4873',
    ],
    windows: [
      'npx verdaccio --listen 127.0.0.1:4873   (in another window; publish a test package argus-registry-test to it)',
      'mkdir %TEMP%\\argus-registry-test && cd /d %TEMP%\\argus-registry-test',
      'npm install --registry http://127.0.0.1:4873 --no-audit --no-fund argus-registry-test',
    ],
    windowsCleanup: ['cd /d %TEMP% && rmdir /s /q %TEMP%\\argus-registry-test', 'npm cache clean --force'],
    marker: /127\.0\.0\.1:4873|"DestinationPort":"?4873\b/,
    async prepare(ws, tools) {
      const manifest = { name: 'argus-registry-test', version: '1.0.0', description: 'supplywatch atomic test 4: a harmless package', main: 'index.js' };
      const tarball = packPackage(join(ws.root, 'pack'), manifest, { 'index.js': 'module.exports = "argus-registry-test";\n' });
      let registry: LoopbackRegistry;
      try {
        registry = await startRegistry(manifest.name, manifest.version, manifest, tarball, REGISTRY_PORT);
      } catch {
        registry = await startRegistry(manifest.name, manifest.version, manifest, tarball, 0);
      }
      writeFileSync(join(ws.work, 'package.json'), JSON.stringify({ name: 'argus-registry-consumer', version: '1.0.0', private: true }, null, 2));
      return {
        command: [tools.npm, 'install', '--registry', registry.url, '--no-audit', '--no-fund', manifest.name],
        evidence: ['work/node_modules/argus-registry-test/package.json'],
        stop: () => registry.close(),
        notes: () => [`loopback registry ${registry.url}: ${registry.requests.length} requests (${registry.requests.join(', ')})`],
      };
    },
  },
];

export function atomicTest(n: number): AtomicTest | undefined {
  return ATOMIC_TESTS.find((t) => t.number === n);
}
