#!/usr/bin/env node
import '../runtime/v8-flags.js';
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { terminalSafe } from '../outputs/escape.js';
import { UsageError } from '../errors.js';
import type { HelpLists } from './help-lists.js';

// For the code cache made at exit (runtime/cached-start.ts, which loads this bundle).
export { restoreStartFlags } from '../runtime/v8-flags.js';

// Each command's module is imported when the command runs: start-up stays small (it is overhead
// on every install `run` watches) and `aql run`'s DuckDB loads only for `aql`.

// No default value given to commander: it would print `(default: [])` beside the real default.
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Help is asked for (or shown because no command was given): the lists of choices are loaded. */
function helpWanted(argv: string[]): boolean {
  const args = argv.slice(2);
  return args.length === 0 || args[0] === 'help' || args.some((a) => a === '--help' || a === '-h');
}

/** The package's version, from its package.json (two levels above dist/cli, or dist/bin). */
function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const NO_CACHE_HELP = 'neither read nor write the cache of parsed rules, prefilter automata and compiled code ($XDG_CACHE_HOME/supplywatch or ~/.cache/supplywatch)';
const OUTPUT_HELP = 'also write alerts as FORMAT to a file, - (stdout), syslog+udp|tcp|tls://HOST:PORT or a Splunk HEC https URL; repeatable (docs/outputs.md)';

/** Exit status: 0 no alert, 1 alerts (or rejected rules for lint), 2 usage or fatal error (scan, watch: or alerts an --output lost). */
async function main(argv: string[]): Promise<number> {
  let status = 0;
  const lists: HelpLists | undefined = helpWanted(argv) ? (await import('./help-lists.js')).helpLists() : undefined;
  const choices = (key: keyof HelpLists, fallback: string) => lists?.[key] ?? fallback;
  const outputFormats = choices('outputFormats', 'see --help');
  const rulesHelp = `rule pack name (${choices('packs', 'see --help')}) or rule file/folder; repeatable`;
  const program = new Command('supplywatch')
    .description('Detect software supply-chain compromise (MITRE ATT&CK T1195.001) in telemetry with Sigma rules')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('scan')
    .description('run rule packs over telemetry files, folders or stdin (-)')
    .argument('[paths...]', 'files, folders (recursive) or - for stdin')
    .option('-r, --rules <pack|path>', `${rulesHelp} (default: seed)`, collect)
    .option('-f, --format <format>', `${outputFormats} (default: table on a TTY, jsonl otherwise)`)
    .option('-o, --output <format:destination>', OUTPUT_HELP, collect)
    .option('--input-format <name>', `force the input format instead of detecting it from content: ${choices('inputFormats', 'see --help')}`)
    .option('--now <time>', 'the time NOW() means, ISO 8601 (default: the current time)')
    .option('--since <duration|time>', 'only events after now minus this duration (24h, 30m, 7d) or after this time')
    .option('--limit <n>', 'print at most n alerts (after ordering)')
    .option('--threads <n>', 'threads for large inputs (default: one per core, used from 256 MiB of input on 2 cores; given, from 32 MiB)')
    .option('-c, --config <file>', 'tuning file supplywatch.yaml: mirrors, allowed hosts, bots, build chain, suppressions, levels')
    .option('--csv-raw', "with --format csv: cells exactly as QRadar writes them, formulas not neutralised (for byte-for-byte comparison; never open it in a spreadsheet)")
    .option('--strict', 'exit 2 when a record is bad, as when an input cannot be read')
    .option('--no-cache', NO_CACHE_HELP)
    .option('-q, --quiet', 'no summary or progress on stderr (inputs that cannot be read are still named)')
    .action(async (paths: string[], options) => {
      status = await (await import('./scan.js')).scanCommand(paths, options);
    });

  program
    .command('dump')
    .description('print the normalized events as JSONL: what the rules see')
    .argument('[paths...]', 'files, folders (recursive) or - for stdin')
    .option('--input-format <name>', `force the input format instead of detecting it from content: ${choices('inputFormats', 'see --help')}`)
    .option('-q, --quiet', 'no counts on stderr')
    .action(async (paths: string[], options) => {
      status = await (await import('./dump.js')).dumpCommand(paths, options);
    });

  program
    .command('run')
    .description('run an install command under a sensor (kernel audit or strace) and detect as it happens: supplywatch run [options] -- <command…>')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('-r, --rules <pack|path>', `${rulesHelp} (default: seed)`, collect)
    .option('--block', 'on the first alert at level high or above, kill the whole process tree (after the fact)')
    .option('--save <file>', 'write the normalized events as NDJSON (the dump shape; scan replays it)')
    .option('-f, --format <format>', `${outputFormats} (default: table on a TTY, jsonl otherwise)`)
    .option('-o, --output <format:destination>', OUTPUT_HELP, collect)
    .option('-c, --config <file>', 'tuning file supplywatch.yaml, as for scan')
    .option('--now <time>', 'the time suppression expiry dates are checked against (default: now)')
    .option('-q, --quiet', 'no summary on stderr (unless supplywatch itself fails)')
    .option('--sensor <audit|strace|auto>', 'audit: the kernel audit (root); strace; auto: audit when root and available, else strace (default: $SUPPLYWATCH_SENSOR, else auto)')
    .option('--no-cache', NO_CACHE_HELP)
    .action(async (command: string[], options) => {
      status = await (await import('./run.js')).runCommand(command, options);
    });

  const AUTH_HELP = 'credentials file (YAML: user, password, token, nkey-seed-file, creds, tls: {ca, cert, key}); else NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_NKEY_SEED_FILE, NATS_CREDS, NATS_CA, NATS_CERT, NATS_KEY (never on the command line)';
  program
    .command('publish')
    .description('feed telemetry files and folders into NATS JetStream, partitioned by host, for `stream` workers (docs/streaming.md)')
    .argument('[paths...]', 'files, folders (recursive) or - for stdin')
    .requiredOption('--to <urls>', 'NATS server URLs, comma-separated (nats://host:4222)')
    .option('--auth <file>', AUTH_HELP)
    .option('--prefix <name>', 'name of the subjects, streams and buckets (default: supplywatch)')
    .option('--partitions <n>', 'partitions of a stream created now (default: 16); fixed at creation')
    .option('--replicas <n>', 'replicas of the streams and buckets created now (default: 1; 3 in a cluster)')
    .option('--in-flight <n>', 'unacknowledged publishes at most (default: 1024)')
    .option('--input-format <name>', `force the input format instead of detecting it from content: ${choices('inputFormats', 'see --help')}`)
    .option('--strict', 'exit 2 when a record is bad')
    .option('--subject-for <host>', "print the subject of HOST's partition and exit (for agents that publish themselves: Vector, Fluent Bit)")
    .option('-q, --quiet', 'no summary on stderr')
    .action(async (paths: string[], options) => {
      status = await (await import('./stream.js')).publishCommand(paths, options);
    });

  program
    .command('stream')
    .description('a streaming worker: consume telemetry partitions from NATS JetStream, publish alerts to the alerts stream; SIGTERM drains (docs/streaming.md)')
    .requiredOption('--from <urls>', 'NATS server URLs, comma-separated (nats://host:4222)')
    .option('--auth <file>', AUTH_HELP)
    .option('-r, --rules <pack|path>', `${rulesHelp} (default: seed)`, collect)
    .option('-c, --config <file>', 'tuning file supplywatch.yaml, as for scan')
    .option('--now <time>', 'the time suppression expiry dates are checked against (default: the clock, as it runs)')
    .option('--prefix <name>', 'name of the subjects, streams and buckets (default: supplywatch)')
    .option('--partitions <n>', 'partitions of an events stream created now (default: 16)')
    .option('--replicas <n>', 'replicas of the streams and buckets created now (default: 1; 3 in a cluster)')
    .option('--in-flight <n>', 'messages delivered and not yet acknowledged per partition, at most (default: 256)')
    .option('--lease <duration>', "a dead worker's partitions move after this long (default: 10s)")
    .option('--checkpoint-every <duration>', 'checkpoint each partition at least this often while it has new events (default: 5s)')
    .option('--checkpoint-events <n>', 'and after this many events (default: 50000)')
    .option('--duplicate-window <duration>', 'how long the alerts stream created now remembers alert ids (default: 10m; see docs/streaming.md)')
    .option('--replay-from <seq|time>', 'restart every partition from this stream sequence or time, with a fresh state (stop the other workers first)')
    .option('-q, --quiet', 'no progress lines on stderr')
    .action(async (options) => {
      status = await (await import('./stream.js')).streamCommand(options);
    });

  program
    .command('watch')
    .description("the host sensor: audit the whole machine, follow every package manager's process tree and stream alerts (root; docs/sensor.md)")
    .option('-r, --rules <pack|path>', `${rulesHelp} (default: seed)`, collect)
    .option('--block', 'on an alert at level high or above, kill the process tree of the package manager it came from (after the fact)')
    .option('--save <file>', 'append the normalized events of package managers\' trees as NDJSON')
    .option('-f, --format <format>', 'jsonl (default) or csv')
    .option('-o, --output <format:destination>', OUTPUT_HELP, collect)
    .option('-c, --config <file>', 'tuning file supplywatch.yaml, as for scan')
    .option('--now <time>', 'the time suppression expiry dates are checked against (default: the clock, as it runs)')
    .action(async (options) => {
      status = await (await import('./watch.js')).watchCommand(options);
    });

  program
    .command('convert')
    .description('convert Sigma rules or packs to SIEM queries')
    .argument('<rules...>', `pack names (${choices('packs', 'see --help')}) or rule files/folders`)
    .requiredOption('-t, --to <target>', choices('targets', 'see --help'))
    .option('-p, --pipeline <name>', 'field-mapping pipeline of the target (default: its first; none = names unchanged)')
    .option('--combine', 'one query per pack where the target allows it')
    .option('--since <duration>', 'time window back from now (24h, 30m, 7d, 1w), where the target can express it')
    .option('--limit <n>', 'row limit, where the target can express it')
    .option('-f, --format <format>', 'text | jsonl', 'text')
    .option('--allow-enrichment-fields', "convert rules that test fields only supplywatch's enrichment creates (the query cannot match in a SIEM as it is)")
    .action(async (specs: string[], options) => {
      status = await (await import('./convert.js')).convertCommand(specs, options);
    });

  program
    .command('aql')
    .description('IBM QRadar AQL tools')
    .command('run')
    .description('run an AQL query (the detection subset) offline over a QRadar JSON/CSV export')
    .argument('<query>', 'AQL text, or @FILE')
    .option('-e, --events <file>', 'QRadar export (JSON or CSV); repeatable', collect)
    .option('--now <time>', 'the time NOW() means, ISO 8601 (default: the current time)')
    .option('-f, --format <format>', 'csv | jsonl | table (default: table on a TTY, csv otherwise)')
    .option('--input-format <name>', 'force qradar-json or qradar-csv')
    .option('--csv-raw', 'with --format csv: cells exactly as QRadar writes them, formulas not neutralised')
    .option('-q, --quiet', 'no counts on stderr')
    .action(async (query: string, options) => {
      status = await (await import('./aql.js')).aqlRunCommand(query, options);
    });

  program
    .command('eval')
    .description('score rule packs on a labelled corpus: telemetry files plus labels.yaml (file: malicious | benign)')
    .argument('<corpus>', 'corpus folder')
    .option('-r, --rules <pack|path>', `${rulesHelp} (default: seed and hardened)`, collect)
    .option('-c, --config <file>', 'tuning file (default: supplywatch.yaml in the corpus folder, if any; none = untuned)')
    .option('--now <time>', 'the time suppression expiry dates are checked against (default: now)')
    .option('-f, --format <format>', 'text | json', 'text')
    .action(async (dir: string, options) => {
      status = await (await import('./eval.js')).evalCommand(dir, options);
    });

  program
    .command('explain')
    .description("an alert's or rule's response playbook and, with --to, the SIEM queries to run next")
    .argument('<subject>', 'rule id, alert id (sw-…, with --alerts), or a JSONL file of alerts (scan --format jsonl) or - for stdin')
    .option('--alerts <file>', 'JSONL alerts to find an alert id in (default: stdin)')
    .option('-t, --to <target>', 'investigation queries for spl | kql | aql | esql | sql')
    .option('--minutes <n>', 'window of the investigation queries around the alert, in minutes (default: 10)')
    .action(async (subject: string, options) => {
      status = await (await import('./explain.js')).explainCommand(subject, options);
    });

  const atomic = program.command('atomic').description("the seed's four atomic tests: run here harmlessly, or verify an exported telemetry file");
  const atomicCli = () => import('./atomic.js');
  atomic.command('list').description('the tests').action(async () => {
    status = (await atomicCli()).atomicListCommand();
  });
  atomic.command('show').description('a test: what runs here, the Windows commands and the expected events').argument('<n>').action(async (n: string) => {
    status = (await atomicCli()).atomicShowCommand(n);
  });
  atomic
    .command('run')
    .description('run test N under supplywatch run and say whether the hardened pack fired at medium or above (exit 0 yes, 1 no, 2 could not run)')
    .argument('<n>')
    .option('--keep', 'keep the workspace for inspection (supplywatch atomic cleanup N removes it)')
    .action(async (n: string, options) => {
      status = await (await atomicCli()).atomicRunCommand(n, options);
    });
  atomic.command('cleanup').description('remove everything test N created').argument('<n>').action(async (n: string) => {
    status = (await atomicCli()).atomicCleanupCommand(n);
  });
  atomic
    .command('verify')
    .description("scan an exported telemetry file: did test N's detection fire? (exit 0 yes, 1 no, 2 no event of the test)")
    .argument('<n>')
    .argument('<file>')
    .action(async (n: string, file: string) => {
      status = await (await atomicCli()).atomicVerifyCommand(n, file);
    });

  const rules = program.command('rules').description('work with Sigma rules');
  rules
    .command('lint')
    .description('load rules and say, per rule, loaded or rejected and why')
    .argument('<paths...>', `rule files or folders, or pack names (${choices('packs', 'see --help')})`)
    .option('--no-cache', NO_CACHE_HELP)
    .action(async (paths: string[], options: { cache: boolean }) => {
      status = await (await import('./lint.js')).lintCommand(paths, options.cache);
    });

  try {
    await program.parseAsync(argv);
    return status;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) {
      // Messages quote the user's arguments and files: each line escaped for the terminal.
      for (const line of err.message.split('\n')) process.stderr.write(`supplywatch: ${terminalSafe(line)}\n`);
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
