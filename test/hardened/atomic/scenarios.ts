/**
 * The seed's four atomic tests (docs/seed.md, "Testing Methodology") as the process trees,
 * file writes and connections they make on each OS, independent of any telemetry format.
 * format.ts renders them as each sensor writes them.
 *
 * What each step is, from the tools' documented behaviour:
 * - npm runs a lifecycle script with `cmd.exe /d /s /c "<script>"` (ComSpec) on Windows and
 *   `sh -c <script>` elsewhere, from the node process running npm-cli.js, in the package's folder
 *   (npm/run-script lib/make-spawn-args.js); `npm.cmd` is a batch file, so on Windows node.exe's
 *   parent is the cmd.exe that ran it. On Linux `npm` is a `#!/usr/bin/env node` script: the
 *   kernel records argv as [node, /usr/bin/npm, …].
 * - pip ≥ 23.1 builds every sdist or source folder through PEP 517 (setuptools' legacy backend
 *   for a bare setup.py): it installs the build requirements with a child pip
 *   (`__pip-runner__.py install … -- setuptools>=40.8.0`), then runs the hooks in
 *   `_in_process.py`; `get_requires_for_build_wheel` executes setup.py, whose
 *   `os.system("id")` runs `/bin/sh -c id` (POSIX) or `cmd.exe /c id` (Windows, where id does
 *   not exist). `pip` is a script run by python (`python3 /usr/bin/pip`; pip.exe's launcher
 *   starts `python.exe …\Scripts\pip.exe`).
 * - Test 3 writes `.github/workflows/ci.yml` from a shell (cmd.exe on Windows, as its expected
 *   Sysmon 11 says; sh on Linux).
 * - Test 4 runs `npm install … --registry http://127.0.0.1:4873` (Verdaccio's default port);
 *   node connects to the loopback registry.
 * npm and pip also reach their public registry (npm's audit request; pip's build requirements):
 * a malicious sample's benign part, which the egress policy must leave alone.
 */
export type Os = 'windows' | 'linux' | 'macos';

export interface Proc {
  key: string;
  /** Key of the parent in this scenario; absent for the root (never logged: it started before the trace). */
  parent?: string;
  pid: number;
  image: string;
  /** POSIX argv; the command line is derived per format. */
  argv?: string[];
  /** Windows command line as the process got it. */
  commandLine?: string;
  cwd: string;
  /** Logged as a creation (false for the root that was already running). */
  logged: boolean;
  /**
   * A `#!/usr/bin/env node` script run by name (npm on Linux): the kernel first execs env with
   * argv [/usr/bin/env, node, script, …], then env execs node in the same process. Audit logs
   * record both execs under one pid.
   */
  viaEnv?: boolean;
  /** Milliseconds after the scenario's start. */
  at: number;
}

export type Step =
  | { kind: 'proc'; proc: Proc }
  | { kind: 'file'; by: string; path: string; at: number }
  | { kind: 'net'; by: string; ip: string; port: number; hostname?: string; at: number }
  | { kind: 'dns'; by: string; name: string; ips: string[]; at: number };

export interface Scenario {
  id: string;
  title: string;
  os: Os;
  host: string;
  user: string;
  start: string;
  steps: Step[];
}

export function commandLineOf(p: Proc): string {
  return p.commandLine ?? (p.argv ?? []).join(' ');
}

export const processes = (s: Scenario): Proc[] => s.steps.flatMap((x) => (x.kind === 'proc' ? [x.proc] : []));
export const proc = (s: Scenario, key: string): Proc => {
  const p = processes(s).find((x) => x.key === key);
  if (!p) throw new Error(`${s.id}: no process ${key}`);
  return p;
};

export class Builder {
  readonly steps: Step[] = [];
  private at = 0;
  private pid: number;
  constructor(firstPid: number) {
    this.pid = firstPid;
  }
  proc(key: string, parent: string | undefined, image: string, cmd: string | string[], cwd: string, dt = 120, logged = true, viaEnv = false): this {
    this.at += dt;
    this.pid += 4 + (this.pid % 7);
    const p: Proc = { key, parent, pid: this.pid, image, cwd, logged, at: this.at, ...(Array.isArray(cmd) ? { argv: cmd } : { commandLine: cmd }), ...(viaEnv ? { viaEnv } : {}) };
    this.steps.push({ kind: 'proc', proc: p });
    return this;
  }
  file(by: string, path: string, dt = 15): this {
    this.at += dt;
    this.steps.push({ kind: 'file', by, path, at: this.at });
    return this;
  }
  net(by: string, ip: string, port: number, hostname?: string, dt = 40): this {
    this.at += dt;
    this.steps.push({ kind: 'net', by, ip, port, hostname, at: this.at });
    return this;
  }
  dns(by: string, name: string, ips: string[], dt = 20): this {
    this.at += dt;
    this.steps.push({ kind: 'dns', by, name, ips, at: this.at });
    return this;
  }
}

const NODE = 'C:\\Program Files\\nodejs\\node.exe';
const NPM_CLI = 'C:\\Program Files\\nodejs\\node_modules\\npm\\bin\\npm-cli.js';
const CMD = 'C:\\Windows\\System32\\cmd.exe';
const PS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const WIN_TEMP = 'C:\\Users\\alice\\AppData\\Local\\Temp';
const PY_WIN = 'C:\\Program Files\\Python312';
// registry.npmjs.org and pypi.org answer from Fastly/Cloudflare addresses; documentation ranges
// stand in for them (the rules never see a real address).
const NPM_CDN = '198.51.100.34';
const PYPI_CDN = '198.51.100.223';
const FILES_CDN = '198.51.100.224';

/** A scenario below an already running root process (a shell, an IDE), which is never logged. */
export function scenario(os: Os, id: string, title: string, host: string, user: string, root: { image: string; cmd: string | string[]; cwd: string }, build: (b: Builder) => void): Scenario {
  const b = new Builder(os === 'windows' ? 6200 : 31400).proc('root', undefined, root.image, root.cmd, root.cwd, 0, false);
  build(b);
  return { id, title, os, host, user, start: '2026-11-28T14:02:11.000Z', steps: b.steps };
}

function windows(id: string, title: string, build: (b: Builder) => void): Scenario {
  const b = new Builder(5100).proc('ps', undefined, PS, `"${PS}" -ExecutionPolicy Bypass`, 'C:\\src\\app\\', 0, false);
  build(b);
  return { id, title, os: 'windows', host: 'DEV-WS-042.corp.example.com', user: 'CORP\\alice', start: '2026-11-27T09:14:01.000Z', steps: b.steps };
}

function linux(id: string, title: string, build: (b: Builder) => void): Scenario {
  const b = new Builder(24100).proc('bash', undefined, '/usr/bin/bash', ['-bash'], '/home/dev', 0, false);
  build(b);
  return { id, title, os: 'linux', host: 'build-07', user: 'dev', start: '2026-11-27T09:14:01.000Z', steps: b.steps };
}

export const ATOMIC_TESTS = ['t1-npm-postinstall', 't2-pip-setup-py', 't3-workflow-file', 't4-registry-4873'] as const;
export type AtomicTest = (typeof ATOMIC_TESTS)[number];

export const SCENARIOS: Record<'windows' | 'linux', Record<AtomicTest, Scenario>> = {
  windows: {
    't1-npm-postinstall': windows('t1-npm-postinstall', 'atomic 1: npm postinstall runs whoami into %TEMP%', (b) =>
      b
        .proc('cmd', 'ps', CMD, `"${CMD}" /c "cd /d ${WIN_TEMP}\\argus-npm-test && npm install"`, 'C:\\src\\app\\')
        .proc('npm', 'cmd', NODE, `"${NODE}" "${NPM_CLI}" install`, `${WIN_TEMP}\\argus-npm-test\\`, 90)
        .dns('npm', 'registry.npmjs.org', [NPM_CDN], 400)
        .net('npm', NPM_CDN, 443)
        .proc('script', 'npm', CMD, `C:\\WINDOWS\\system32\\cmd.exe /d /s /c "whoami > %TEMP%\\argus-npm-test.txt"`, `${WIN_TEMP}\\argus-npm-test\\`, 900)
        .proc('whoami', 'script', 'C:\\Windows\\System32\\whoami.exe', 'whoami', `${WIN_TEMP}\\argus-npm-test\\`, 45)
        .file('script', `${WIN_TEMP}\\argus-npm-test.txt`, 5),
    ),
    't2-pip-setup-py': windows('t2-pip-setup-py', 'atomic 2: pip install of a setup.py that runs id', (b) =>
      b
        .proc('cmd', 'ps', CMD, `"${CMD}" /c "pip install ${WIN_TEMP}\\argus-pip-test"`, 'C:\\src\\app\\')
        .proc('launcher', 'cmd', `${PY_WIN}\\Scripts\\pip.exe`, `pip  install ${WIN_TEMP}\\argus-pip-test`, 'C:\\src\\app\\', 60)
        .proc('pip', 'launcher', `${PY_WIN}\\python.exe`, `"${PY_WIN}\\python.exe" "${PY_WIN}\\Scripts\\pip.exe" install ${WIN_TEMP}\\argus-pip-test`, 'C:\\src\\app\\', 30)
        .proc('buildenv', 'pip', `${PY_WIN}\\python.exe`, `"${PY_WIN}\\python.exe" "${PY_WIN}\\Lib\\site-packages\\pip\\__pip-runner__.py" install --ignore-installed --no-user --prefix ${WIN_TEMP}\\pip-build-env-3k2j1h8d\\overlay --no-warn-script-location --disable-pip-version-check -v --no-binary :none: --only-binary :none: -i https://pypi.org/simple -- "setuptools>=40.8.0"`, `${WIN_TEMP}\\argus-pip-test\\`, 700)
        .dns('buildenv', 'pypi.org', [PYPI_CDN], 300)
        .net('buildenv', PYPI_CDN, 443)
        .dns('buildenv', 'files.pythonhosted.org', [FILES_CDN], 200)
        .net('buildenv', FILES_CDN, 443)
        .proc('hook', 'pip', `${PY_WIN}\\python.exe`, `"${PY_WIN}\\python.exe" "${PY_WIN}\\Lib\\site-packages\\pip\\_vendor\\pyproject_hooks\\_in_process\\_in_process.py" get_requires_for_build_wheel ${WIN_TEMP}\\tmp8x2kq1mz`, `${WIN_TEMP}\\argus-pip-test\\`, 4000)
        .proc('shell', 'hook', CMD, `C:\\WINDOWS\\system32\\cmd.exe /c id`, `${WIN_TEMP}\\argus-pip-test\\`, 350),
    ),
    't3-workflow-file': windows('t3-workflow-file', 'atomic 3: cmd.exe writes .github\\workflows\\ci.yml', (b) =>
      b
        .proc('cmd', 'ps', CMD, `"${CMD}" /c "mkdir C:\\src\\app\\.github\\workflows 2>nul & echo name: ci> C:\\src\\app\\.github\\workflows\\ci.yml & echo on: push>> C:\\src\\app\\.github\\workflows\\ci.yml"`, 'C:\\src\\app\\')
        .file('cmd', 'C:\\src\\app\\.github\\workflows\\ci.yml', 30),
    ),
    't4-registry-4873': windows('t4-registry-4873', 'atomic 4: npm install from a registry on 127.0.0.1:4873', (b) =>
      b
        .proc('cmd', 'ps', CMD, `"${CMD}" /c "npm install argus-registry-test --registry http://127.0.0.1:4873"`, 'C:\\src\\app\\')
        .proc('npm', 'cmd', NODE, `"${NODE}" "${NPM_CLI}" install argus-registry-test --registry http://127.0.0.1:4873`, 'C:\\src\\app\\', 90)
        .net('npm', '127.0.0.1', 4873, undefined, 500),
    ),
  },
  linux: {
    't1-npm-postinstall': linux('t1-npm-postinstall', 'atomic 1: npm postinstall runs whoami into /tmp', (b) =>
      b
        .proc('npm', 'bash', '/usr/bin/node', ['node', '/usr/bin/npm', 'install'], '/tmp/argus-npm-test', 120, true, true)
        .net('npm', NPM_CDN, 443, undefined, 500)
        .proc('script', 'npm', '/usr/bin/dash', ['sh', '-c', 'whoami > /tmp/argus-npm-test.txt'], '/tmp/argus-npm-test', 900)
        .file('script', '/tmp/argus-npm-test.txt', 2)
        .proc('whoami', 'script', '/usr/bin/whoami', ['whoami'], '/tmp/argus-npm-test', 3),
    ),
    't2-pip-setup-py': linux('t2-pip-setup-py', 'atomic 2: pip install of a setup.py that runs id', (b) =>
      b
        .proc('pip', 'bash', '/usr/bin/python3.12', ['/usr/bin/python3', '/usr/bin/pip', 'install', './argus-pip-test'], '/home/dev')
        .proc('buildenv', 'pip', '/usr/bin/python3.12', ['/usr/bin/python3', '/usr/lib/python3/dist-packages/pip/__pip-runner__.py', 'install', '--ignore-installed', '--no-user', '--prefix', '/tmp/pip-build-env-3k2j1h8d/overlay', '--no-warn-script-location', '--disable-pip-version-check', '-v', '--no-binary', ':none:', '--only-binary', ':none:', '-i', 'https://pypi.org/simple', '--', 'setuptools>=40.8.0'], '/home/dev/argus-pip-test', 700)
        .net('buildenv', PYPI_CDN, 443, undefined, 300)
        .net('buildenv', FILES_CDN, 443, undefined, 200)
        .proc('hook', 'pip', '/usr/bin/python3.12', ['/usr/bin/python3', '/usr/lib/python3/dist-packages/pip/_vendor/pyproject_hooks/_in_process/_in_process.py', 'get_requires_for_build_wheel', '/tmp/tmpk2j3x9aq'], '/home/dev/argus-pip-test', 4000)
        .proc('shell', 'hook', '/usr/bin/dash', ['sh', '-c', 'id'], '/home/dev/argus-pip-test', 350)
        .proc('id', 'shell', '/usr/bin/id', ['id'], '/home/dev/argus-pip-test', 2),
    ),
    't3-workflow-file': linux('t3-workflow-file', 'atomic 3: sh writes .github/workflows/ci.yml', (b) =>
      b
        .proc('shell', 'bash', '/usr/bin/dash', ['sh', '-c', 'mkdir -p /home/dev/app/.github/workflows && printf "name: ci\\non: push\\n" > /home/dev/app/.github/workflows/ci.yml'], '/home/dev/app')
        .proc('mkdir', 'shell', '/usr/bin/mkdir', ['mkdir', '-p', '/home/dev/app/.github/workflows'], '/home/dev/app', 2)
        .file('shell', '/home/dev/app/.github/workflows/ci.yml', 3),
    ),
    't4-registry-4873': linux('t4-registry-4873', 'atomic 4: npm install from a registry on 127.0.0.1:4873', (b) =>
      b
        .proc('npm', 'bash', '/usr/bin/node', ['node', '/usr/bin/npm', 'install', 'argus-registry-test', '--registry', 'http://127.0.0.1:4873'], '/home/dev/app', 120, true, true)
        .net('npm', '127.0.0.1', 4873, undefined, 500),
    ),
  },
};
