#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { dumpCommand } from './dump.js';
import { lintCommand } from './lint.js';
import { scanCommand } from './scan.js';
import { UsageError } from './usage-error.js';

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
    .option('--threads <n>', 'worker threads for large inputs (default: the number of cores)')
    .option('-q, --quiet', 'no summary or progress on stderr')
    .action(async (paths: string[], options) => {
      status = await scanCommand(paths, options);
    });

  program
    .command('dump')
    .description('print the normalized events as JSONL: what the rules see')
    .argument('[paths...]', 'files, folders (recursive) or - for stdin')
    .option('--input-format <name>', 'force the input format instead of detecting it from content')
    .option('-q, --quiet', 'no counts on stderr')
    .action(async (paths: string[], options) => {
      status = await dumpCommand(paths, options);
    });

  const rules = program.command('rules').description('work with Sigma rules');
  rules
    .command('lint')
    .description('load rules and say, per rule, loaded or rejected and why')
    .argument('<paths...>', 'rule files or folders')
    .action(async (paths: string[]) => {
      status = await lintCommand(paths);
    });

  try {
    await program.parseAsync(argv);
    return status;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) {
      process.stderr.write(`supplywatch: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`supplywatch: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
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
