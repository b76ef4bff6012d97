import { posix } from 'node:path';

/**
 * Package managers, recognised from what a process runs: the executable's name (`npm`, `pip3.11`,
 * `cargo`), or for an interpreter the script or module it runs (`node …/npm-cli.js`,
 * `python3 -m pip`, `ruby …/bin/bundle`). Each names the manager it stands for.
 */
const BY_NAME: Array<[RegExp, string]> = [
  [/^npm(-cli\.js)?$/, 'npm'],
  [/^npx(-cli\.js)?$/, 'npm'],
  [/^pnpm(\.c?js)?$/, 'pnpm'],
  [/^pnpx$/, 'pnpm'],
  [/^yarn(\.c?js|pkg)?$/, 'yarn'],
  [/^bunx?$/, 'bun'],
  [/^pip(3(\.\d+)?)?$/, 'pip'],
  [/^uvx?$/, 'uv'],
  [/^poetry$/, 'poetry'],
  [/^gem$/, 'gem'],
  [/^bundle(r)?$/, 'bundler'],
  [/^cargo$/, 'cargo'],
  [/^go$/, 'go'],
  [/^dotnet$/, 'dotnet'],
  [/^nuget(\.exe)?$/, 'nuget'],
  [/^composer(\.phar)?$/, 'composer'],
];

const INTERPRETERS = /^(node(js)?|python(\d(\.\d+)?)?|ruby(\d(\.\d+)?)?|php(\d(\.\d+)?)?|mono|env)$/;
/** A Map: the module is a command line's text (`python -m constructor` runs no package manager). */
const PYTHON_MODULES = new Map([['pip', 'pip'], ['pip3', 'pip'], ['poetry', 'poetry'], ['uv', 'uv']]);

function byName(path: string): string | undefined {
  const base = posix.basename(path);
  for (const [re, manager] of BY_NAME) if (re.test(base)) return manager;
  return undefined;
}

/** The package manager a process runs, from its image and argv; undefined for anything else. */
export function packageManagerOf(image: string, argv: readonly string[]): string | undefined {
  const direct = byName(image) ?? (argv[0] !== undefined ? byName(argv[0]) : undefined);
  if (direct) return direct;
  if (!INTERPRETERS.test(posix.basename(image))) return undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-m' && argv[i + 1] !== undefined) return PYTHON_MODULES.get(argv[i + 1]!);
    if (arg.startsWith('-')) continue;
    // The first operand is the script the interpreter runs (env: the program it starts).
    return byName(arg) ?? (posix.basename(image) === 'env' ? packageManagerOf(arg, argv.slice(i)) : undefined);
  }
  return undefined;
}
