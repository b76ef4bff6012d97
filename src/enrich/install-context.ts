/**
 * Install context: is a process inside the subtree of a package-manager install, and which?
 * Decided from images and command lines only, because that is all endpoint telemetry carries:
 * npm's `npm_lifecycle_event` environment variable, which names the phase, is not in Sysmon,
 * auditd or 4688 events. See docs/enrichment.md for what is and is not recoverable.
 */
import { pathSegments, programName, splitArgs } from './command-line.js';

/** What the enricher knows of one process of a chain. */
export interface ProcessInfo {
  image?: string;
  commandLine?: string;
  cwd?: string;
  /** Cache of `analyze` (a process's own text never changes). */
  [ANALYSIS]?: Analysis;
}

const ANALYSIS = Symbol('install-analysis');

export interface InstallContext {
  /** npm, pnpm, yarn, bun, pip, poetry, uv, gem, cargo, nuget. */
  manager: string;
  /** The package whose script or build is running, where the command lines or cwd show it. */
  package?: string;
  /** preinstall/install/postinstall are indistinguishable in telemetry (see docs); `install` only for npm's implicit `node-gyp rebuild`. */
  phase?: string;
  /**
   * `package-manager` for the install process and the helpers it runs for itself (npm's git
   * for git dependencies, pip's build-dependency pip); `install-script` at and below the step
   * that runs a package's own code: a lifecycle script, setup.py or a PEP 517 hook, a cargo
   * build script, a gem extension build, a shell below MSBuild (Exec tasks of NuGet .targets).
   */
  role: 'package-manager' | 'install-script';
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ash', 'ksh', 'cmd', 'powershell', 'pwsh']);

/** Subcommands that install, build or otherwise run packages' own code, per manager (a Map: the program's name is a command line's text). */
const VERBS = new Map<string, ReadonlySet<string>>(Object.entries({
  npm: new Set(['install', 'i', 'in', 'ins', 'inst', 'insta', 'instal', 'isnt', 'isnta', 'isntal', 'isntall', 'add', 'ci', 'clean-install', 'ic', 'install-clean', 'isntall-clean', 'it', 'install-test', 'cit', 'clean-install-test', 'install-ci-test', 'update', 'up', 'upgrade', 'udpate', 'rebuild', 'rb']),
  pnpm: new Set(['install', 'i', 'add', 'update', 'up', 'upgrade', 'rebuild', 'rb']),
  yarn: new Set(['install', 'add', 'upgrade', 'up']),
  bun: new Set(['install', 'i', 'add', 'update']),
  pip: new Set(['install', 'download', 'wheel']),
  poetry: new Set(['install', 'add', 'update']),
  uv: new Set(['sync', 'add', 'pip']),
  gem: new Set(['install', 'update']),
  bundle: new Set(['install', 'update']),
  cargo: new Set(['build', 'b', 'install', 'run', 'r', 'test', 't', 'check', 'c', 'bench', 'doc']),
  dotnet: new Set(['restore', 'build', 'add', 'publish', 'pack', 'test', 'run']),
  nuget: new Set(['install', 'restore']),
}));

/** Reported manager name per recognized program (bundler installs gems; dotnet restores NuGet packages). */
const MANAGER_OF = new Map([['bundle', 'gem'], ['bundler', 'gem'], ['dotnet', 'nuget'], ['pip3', 'pip']]);

/** JavaScript package managers run by node: entry script basename → program. */
function jsScriptProgram(script: string): string | undefined {
  const base = programName(script);
  if (base === 'npm-cli.js' || base === 'npm') return 'npm';
  if (/^pnpm(\.c?m?js)?$/.test(base)) return 'pnpm';
  if (/^yarn(-[\w.]+)?(\.c?js)?$/.test(base)) return 'yarn';
  return undefined;
}

const isNode = (p: string) => p === 'node' || p === 'nodejs';
const isPython = (p: string) => /^(python|pythonw|py)(\d+(\.\d+)?)?$/.test(p);
const isRuby = (p: string) => /^ruby(\d+(\.\d+)*)?$/.test(p);

/** Interpreter options that take the next argument as their value (`ruby -I DIR gem`, `python -W x pip`). */
const VALUE_OPTIONS = new Set(['-I', '-r', '-C', '-E', '-W', '-X', '-Q']);

/**
 * A program run as a script by an interpreter: `python3 /usr/bin/pip install`, `ruby3.1 /usr/bin/gem
 * install`. On Linux a shebang script's exec records the interpreter as the image and the script
 * path as argv[1] (auditd, Sysmon for Linux); on Windows pip.exe's launcher starts
 * `python.exe "…\Scripts\pip.exe" install`. The script's name (without .py/-script.py) is the program.
 */
function interpretedScript(argv: string[]): { program: string; args: string[] } | undefined {
  let i = 1;
  while (i < argv.length && argv[i]!.startsWith('-')) i += VALUE_OPTIONS.has(argv[i]!) ? 2 : 1;
  if (i >= argv.length) return undefined;
  const program = programName(argv[i]).replace(/(-script)?\.(py|rb)$/, '');
  return VERBS.has(program === 'bundler' ? 'bundle' : program) || /^pip\d*(\.\d+)?$/.test(program) ? { program, args: argv.slice(i + 1) } : undefined;
}

/** The program a process runs, seen through node/python launchers: npm, pip, cargo, … or ''. */
export function effectiveProgram(info: ProcessInfo): { program: string; args: string[] } {
  const argv = splitArgs(info.commandLine);
  const image = programName(info.image);
  const argv0 = programName(argv[0]);
  const launcher = isNode(image) || isNode(argv0) ? 'node' : isPython(image) || isPython(argv0) ? 'python' : isRuby(image) || isRuby(argv0) ? 'ruby' : '';
  if (launcher === 'node') {
    // node [options] <script> args…
    let i = 1;
    while (i < argv.length && argv[i]!.startsWith('-')) i += 1;
    const program = i < argv.length ? jsScriptProgram(argv[i]!) : undefined;
    if (program) return { program, args: argv.slice(i + 1) };
    // Linux: the image is node but argv[0] is the bin name (`npm install`).
    if (argv0 !== 'node' && argv0 !== 'nodejs' && VERBS.has(argv0)) return { program: argv0, args: argv.slice(1) };
    return { program: '', args: [] };
  }
  if (launcher === 'python') {
    const m = argv.indexOf('-m');
    if (m !== -1 && argv[m + 1]) return { program: programName(argv[m + 1]), args: argv.slice(m + 2) };
    const setup = argv.findIndex((a, i) => i > 0 && programName(a) === 'setup.py');
    if (setup !== -1) return { program: 'setup.py', args: argv.slice(setup + 1) };
    const script = interpretedScript(argv);
    if (script) return { ...script, program: /^pip\d*(\.\d+)?$/.test(script.program) ? 'pip' : script.program };
    return { program: '', args: [] };
  }
  if (launcher === 'ruby') return interpretedScript(argv) ?? { program: '', args: [] };
  // MSBuild, run by `dotnet build`, Visual Studio (devenv's `/nodemode` worker nodes) or alone:
  // it imports every referenced NuGet package's build/*.targets and runs their tasks.
  if (image === 'msbuild' || argv0 === 'msbuild' || (argv0 === 'dotnet' && /[\\/]msbuild\.dll\b/i.test(info.commandLine ?? ''))) return { program: 'msbuild', args: [] };
  const program = MANAGER_OF.get(argv0) === 'pip' || /^pip\d*(\.\d+)?$/.test(argv0) ? 'pip' : argv0 || image;
  return { program, args: argv.slice(1) };
}

/** The manager when this process is an install-type invocation, else undefined. */
export function installManager(info: ProcessInfo, seen = effectiveProgram(info)): string | undefined {
  const { program, args } = seen;
  if (program === 'setup.py') return args.length > 0 ? 'pip' : undefined;
  if (program === 'msbuild') return 'nuget';
  const verbs = VERBS.get(program === 'bundler' ? 'bundle' : program);
  if (!verbs) return undefined;
  const positional = args.filter((a) => !a.startsWith('-')).slice(0, 3);
  // `yarn` alone installs; otherwise one of the first positional arguments must be an install verb
  // (global options with values, such as `npm --prefix DIR install`, come before it).
  if (program === 'yarn' && positional.length === 0) return 'yarn';
  if (!positional.some((a) => verbs.has(a.toLowerCase()))) return undefined;
  return MANAGER_OF.get(program) ?? program;
}

/** `sh -c SCRIPT` / `cmd.exe /d /s /c SCRIPT`: the script text, else undefined. */
export function shellScript(info: ProcessInfo): string | undefined {
  const shell = programName(info.image) || programName(splitArgs(info.commandLine, 1)[0]);
  const cmd = info.commandLine ?? '';
  if (shell === 'cmd') {
    const m = /\s\/c\s+([\s\S]*)$/i.exec(cmd);
    return m ? m[1]!.replace(/^"([\s\S]*)"$/, '$1').trim() : undefined;
  }
  if (shell === 'sh' || shell === 'bash' || shell === 'dash' || shell === 'zsh') {
    const m = /\s-c\s+([\s\S]*)$/.exec(cmd);
    return m ? m[1]!.replace(/^(["'])([\s\S]*)\1$/, '$2').trim() : undefined;
  }
  return undefined;
}

/** The package directory a lifecycle script runs in: the last `node_modules/[@scope/]name`. */
export function nodeModulesPackage(cwd: string | undefined): string | undefined {
  if (!cwd) return undefined;
  const segs = pathSegments(cwd);
  const at = segs.lastIndexOf('node_modules');
  if (at === -1 || at + 1 >= segs.length) return undefined;
  const first = segs[at + 1]!;
  if (first.startsWith('@')) return at + 2 < segs.length ? `${first}/${segs[at + 2]}` : undefined;
  return first;
}

const PIP_SOURCE = /pip-install-[^\\/]+[\\/]([^\\/'"\s]+)/i;
const CARGO_BUILD_SCRIPT = /[\\/]build[\\/]([A-Za-z0-9_.-]+?)-[0-9a-f]{16}[\\/]build-script-build(\.exe)?\b/;
const GEM_DIR = /[\\/]gems[\\/]([A-Za-z0-9_.-]+?)-\d[\w.]*[\\/]/;

interface Markers {
  package?: string;
  phase?: string;
}

/** What one process says about installs, independent of its chain: computed once per process. */
export interface Analysis {
  manager?: string;
  jsManager: boolean;
  /** Markers that need no parent: cargo build scripts, pip builds, gem extensions. */
  own?: Markers;
}

/** Cheap gate: only text naming a package manager or a build hook is worth parsing. */
const WORTH_PARSING = /npm|yarn|bun|pip|setup\.py|_in_process|poetry|uv|gem|bundle|cargo|dotnet|nuget|msbuild|extconf|build-script-build/i;
const NOTHING: Analysis = { jsManager: false };

function analyze(info: ProcessInfo): Analysis {
  let a = info[ANALYSIS];
  if (!a) {
    if (!WORTH_PARSING.test(info.commandLine ?? '') && !WORTH_PARSING.test(info.image ?? '')) a = NOTHING;
    else {
      const seen = effectiveProgram(info);
      const { program } = seen;
      a = {
        manager: installManager(info, seen),
        jsManager: program === 'npm' || program === 'pnpm' || program === 'yarn' || program === 'bun',
        own: ownMarkers(info, seen),
      };
    }
    info[ANALYSIS] = a;
  }
  return a;
}

/**
 * The analysis of a process view, computed once per view; a store that builds a new view of the
 * same process per event keeps it and gives it back (`primeAnalysis`), so it is computed once
 * per process.
 */
export function analysisOf(info: ProcessInfo): Analysis {
  return analyze(info);
}

export function primeAnalysis(info: ProcessInfo, analysis: Analysis): void {
  info[ANALYSIS] = analysis;
}

function ownMarkers(info: ProcessInfo, seen: { program: string; args: string[] }): Markers | undefined {
  const cmd = info.commandLine ?? '';
  const where = `${cmd} ${info.cwd ?? ''}`;
  const cargo = CARGO_BUILD_SCRIPT.exec(info.image ?? '') ?? CARGO_BUILD_SCRIPT.exec(cmd);
  if (cargo) return { package: cargo[1], phase: 'build-script' };
  const { program, args } = seen;
  // pip's legacy path runs setup.py through `python -c "exec(compile(… <pip-setuptools-caller> …))" STEP …`.
  const legacy = cmd.includes('<pip-setuptools-caller>') ? (/\)\)["']?\s+(\w+)/.exec(cmd)?.[1] ?? 'build') : undefined;
  if (program === 'setup.py' || /_in_process\.py/.test(cmd) || legacy !== undefined) {
    const step = legacy ?? args.find((a) => !a.startsWith('-')) ?? (/_in_process\.py['"]?\s+(\w+)/.exec(cmd)?.[1] ?? '');
    const phase = /metadata|egg_info|get_requires/.test(step) ? 'metadata' : /install|develop/.test(step) ? 'install' : 'build';
    return { package: PIP_SOURCE.exec(where)?.[1]?.replace(/_[0-9a-f]{32}$/, ''), phase };
  }
  if (/extconf\.rb/.test(cmd)) return { package: GEM_DIR.exec(where)?.[1], phase: 'extension-build' };
  return undefined;
}

/** Package and phase markers of one process given its parent. */
function markers(info: ProcessInfo, parent: ProcessInfo | undefined): Markers | undefined {
  // npm/pnpm/yarn/bun run every lifecycle script as a shell child in the package's directory.
  if (parent && analyze(parent).jsManager) {
    const script = shellScript(info);
    if (script !== undefined) return { package: nodeModulesPackage(info.cwd), phase: script === 'node-gyp rebuild' ? 'install' : 'lifecycle' };
  }
  return analyze(info).own;
}

/** Index in the chain (nearest first) of the outermost install invocation, the process that started the install; -1 outside installs. */
export function installRootIndex(chain: readonly ProcessInfo[]): number {
  let outer = -1;
  for (let i = 0; i < chain.length; i += 1) if (analyze(chain[i]!).manager) outer = i;
  return outer;
}

/**
 * The install context of a process given its chain, nearest first (the process itself at 0).
 * The manager is the outermost install invocation (pip running setup.py is a pip install; an npm
 * postinstall running `yarn add` is still inside the npm install); package and phase come from
 * the nearest process below it that shows them.
 */
export function installContext(chain: readonly ProcessInfo[]): InstallContext | undefined {
  const outer = installRootIndex(chain);
  if (outer === -1) return undefined;
  const manager = analyze(chain[outer]!).manager!;
  const ctx: InstallContext = { manager, role: 'package-manager' };
  for (let i = 0; i <= outer; i += 1) {
    const found = markers(chain[i]!, chain[i + 1]);
    if (!found) continue;
    if (found.package !== undefined && ctx.package === undefined) ctx.package = found.package;
    if (found.phase !== undefined && ctx.phase === undefined) ctx.phase = found.phase;
    if (ctx.package !== undefined && ctx.phase !== undefined) break;
  }
  if (ctx.phase !== undefined || chain.slice(0, outer).some((p) => SHELLS.has(programName(p.image) || programName(splitArgs(p.commandLine, 1)[0])))) ctx.role = 'install-script';
  return ctx;
}
