#!/usr/bin/env node
import './v8-flags.js';
import { Command, CommanderError } from 'commander';
import { terminalSafe } from '../outputs/escape.js';
import { UsageError } from './usage-error.js';

// Each command's module is imported when the command runs: start-up stays small (it is overhead
// on every install `run` watches) and `aql run`'s DuckDB loads only for `aql`.

const collect = (value: string, previous: string[]) => [...previous, value];

/** Exit status: 0 no alert, 1 alerts (or rejected rules for lint), 2 usage or fatal error. */
async function main(argv: string[]): Promise<number> {
  let status = 0;
  const program = new Command('supplywatch')
    .description('Detect software supply-chain compromise (MITRE ATT&CK T1195.001) in telemetry with Sigma rules')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('scan')
    .description('run rule packs over telemetry files, folders or stdin (-)')
    .argument('[paths...]', 'files, folders (recursive) or - for stdin')
    .option('-r, --rules <pack|path>', 'rule pack name (seed) or rule file/folder; repeatable', collect, [])
    .option('-f, --format <format>', 'table | jsonl | csv (default: table on a TTY, jsonl otherwise)')
    .option('--input-format <name>', 'force the input format instead of detecting it from content')
    .option('--now <time>', 'the time NOW() means, ISO 8601 (default: the current time)')
    .option('--since <duration|time>', 'only events after now minus this duration (24h, 30m, 7d) or after this time')
    .option('--limit <n>', 'print at most n alerts (after ordering)')
    .option('--threads <n>', 'threads for large inputs (default: one per core, used from 256 MiB of input on 2 cores; given, from 32 MiB)')
    .option('-c, --config <file>', 'tuning file supplywatch.yaml: mirrors, allowed hosts, bots, build chain, suppressions, levels')
    .option('-q, --quiet', 'no summary or progress on stderr')
    .action(async (paths: string[], options) => {
      status = await (await import('./scan.js')).scanCommand(paths, options);
    });

  program
    .command('dump')
    .description('print the normalized events as JSONL: what the rules see')
    .argument('[paths...]', 'files, folders (recursive) or - for stdin')
    .option('--input-format <name>', 'force the input format instead of detecting it from content')
    .option('-q, --quiet', 'no counts on stderr')
    .action(async (paths: string[], options) => {
      status = await (await import('./dump.js')).dumpCommand(paths, options);
    });

  program
    .command('run')
    .description('run an install command under strace and detect as it happens: supplywatch run [options] -- <command…>')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('-r, --rules <pack|path>', 'rule pack name (seed) or rule file/folder; repeatable', collect, [])
    .option('--block', 'on the first alert at level high or above, kill the whole process tree (after the fact)')
    .option('--save <file>', 'write the normalized events as NDJSON (the dump shape; scan replays it)')
    .option('-f, --format <format>', 'table | jsonl | csv (default: table on a TTY, jsonl otherwise)')
    .option('-q, --quiet', 'no summary on stderr (unless supplywatch itself fails)')
    .action(async (command: string[], options) => {
      status = await (await import('./run.js')).runCommand(command, options);
    });

  program
    .command('convert')
    .description('convert Sigma rules or packs to SIEM queries (aql, spl, kql, esql, eql, sql)')
    .argument('<rules...>', 'pack names (seed) or rule files/folders')
    .requiredOption('-t, --to <target>', 'aql | spl | kql | esql | eql | sql')
    .option('-p, --pipeline <name>', 'field-mapping pipeline of the target (default: its first; none = names unchanged)')
    .option('--combine', 'one query per pack where the target allows it')
    .option('--since <duration>', 'time window back from now (24h, 30m, 7d), where the target can express it')
    .option('--limit <n>', 'row limit, where the target can express it')
    .option('-f, --format <format>', 'text | jsonl', 'text')
    .action(async (specs: string[], options) => {
      status = await (await import('./convert.js')).convertCommand(specs, options);
    });

  program
    .command('aql')
    .description('IBM QRadar AQL tools')
    .command('run')
    .description('run an AQL query (the detection subset) offline over a QRadar JSON/CSV export')
    .argument('<query>', 'AQL text, or @FILE')
    .option('-e, --events <file>', 'QRadar export (JSON or CSV); repeatable', collect, [])
    .option('--now <time>', 'the time NOW() means, ISO 8601 (default: the current time)')
    .option('-f, --format <format>', 'csv | jsonl | table (default: table on a TTY, csv otherwise)')
    .option('--input-format <name>', 'force qradar-json or qradar-csv')
    .option('-q, --quiet', 'no counts on stderr')
    .action(async (query: string, options) => {
      status = await (await import('./aql.js')).aqlRunCommand(query, options);
    });

  program
    .command('eval')
    .description('score rule packs on a labelled corpus: telemetry files plus labels.yaml (file: malicious | benign)')
    .argument('<corpus>', 'corpus folder')
    .option('-r, --rules <pack|path>', 'rule packs or rule files/folders; repeatable (default: seed and hardened)', collect, [])
    .option('-c, --config <file>', 'tuning file (default: supplywatch.yaml in the corpus folder, if any; none = untuned)')
    .option('--now <time>', 'the time suppression expiry dates are checked against (default: now)')
    .option('-f, --format <format>', 'text | json', 'text')
    .action(async (dir: string, options) => {
      status = await (await import('./eval.js')).evalCommand(dir, options);
    });

  const rules = program.command('rules').description('work with Sigma rules');
  rules
    .command('lint')
    .description('load rules and say, per rule, loaded or rejected and why')
    .argument('<paths...>', 'rule files or folders')
    .action(async (paths: string[]) => {
      status = await (await import('./lint.js')).lintCommand(paths);
    });

  try {
    await program.parseAsync(argv);
    return status;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) {
      process.stderr.write(`supplywatch: ${terminalSafe(err.message)}\n`); // messages quote the user's arguments
      return 2;
    }
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`supplywatch: fatal: ${text.split('\n').map(terminalSafe).join('\n')}\n`);
    return 2;
  }
}

// A closed pipe (`supplywatch scan … | head`) is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
