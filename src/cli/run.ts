import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { constants as osConstants } from 'node:os';
import type { Alert } from '../alerts/alert.js';
import type { Pack } from '../alerts/pack.js';
import { serializeEvent, type NormalizedEvent } from '../events/event.js';
import { safeJson, terminalSafe } from '../outputs/escape.js';
import type { PipelineSpec } from '../alerts/pipeline.js';
import type { AlertFormatter } from '../outputs/formatter.js';
import type { OutputSpec } from '../outputs/formats.js';
import type { OutputSet } from '../outputs/output-set.js';
import type { BuilderCounts, SensorIdentity } from '../sensor/event-builder.js';
import type { ProcessInfo } from '../sensor/process-table.js';
import { findOnPath, findStrace, launchStrace, STRACE_INSTALL_HINT, type TraceSession } from '../sensor/strace-launcher.js';
// Imported with this module, not after it: the audit driver's start is what the command waits
// for, and the options' larger modules load while it runs (runCommand).
import { auditPrerequisites } from '../sensor/audit/availability.js';
import { AuditBusy, AuditUnavailable, launchAudit, type AuditRun } from '../sensor/audit/session.js';
import type { BadRecord } from '../sources/reader.js';
import { UsageError } from '../errors.js';

export interface RunOptions {
  rules?: string[];
  block?: boolean;
  save?: string;
  format?: string;
  /** `--output FORMAT:DESTINATION`, repeatable. */
  output?: string[];
  quiet?: boolean;
  /** supplywatch.yaml, as for scan. */
  config?: string;
  now?: string;
  /** `--sensor audit|strace|auto` (default: $SUPPLYWATCH_SENSOR, else auto). */
  sensor?: string;
  /** False with `--no-cache`: the rules are parsed, the rule cache neither read nor written. */
  cache?: boolean;
}

const SENSORS = ['auto', 'audit', 'strace'];
/** How long `--sensor audit` waits for another sensor to release the audit receiver. */
const AUDIT_WAIT_SECONDS = 600;

/** Files written before a block that are listed in the summary (they remain on disk). */
const MAX_LISTED_FILES = 20;

/**
 * `supplywatch run -- <command…>`: runs an install command under a sensor (the kernel's audit
 * when root and audit are available, else strace; `--sensor` forces one: docs/sensor.md), turns
 * what it does into normalized events, runs the rules live and prints alerts as they happen.
 *
 * The command starts first: importing the engine and compiling the rules takes about as long as
 * node's own start-up, and it runs while the command does (its trace is held meanwhile, see
 * TraceReader) instead of delaying it. So the checks that need no rules come before the start,
 * and rules that all fail to load stop the command that already runs.
 *
 * Exit status: 2 for supplywatch's own errors (usage, no rules, strace missing, strace stopped
 * before the command ended, `--sensor audit` where audit cannot run); 127 when the command is not
 * found; else the command's own status when it is non-zero (128 + signal number when it was killed, so 137 after --block); else 1
 * when there were alerts; else 0.
 */
export async function runCommand(command: string[], options: RunOptions): Promise<number> {
  if (command.length === 0) throw new UsageError('run needs a command: supplywatch run [options] -- <command…>');
  const choice = options.sensor ?? (process.env.SUPPLYWATCH_SENSOR || 'auto');
  if (!SENSORS.includes(choice)) throw new UsageError(`--sensor must be one of ${SENSORS.join(', ')} (got ${terminalSafe(choice)})`);
  if (!findOnPath(command[0]!)) {
    process.stderr.write(`supplywatch: command not found: ${terminalSafe(command[0]!)}\n`);
    return 127;
  }
  // Ctrl-C reaches the command too; stay alive to report what it did before it stopped.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  const started = performance.now();
  // The audit driver starts (the lock, auditd, the command's shell in its audit session, the
  // rules) while the options are checked and the modules that check them load; the command is
  // let go only after both, so everything the user can get wrong still stops it before it runs.
  const auditStart = choice === 'strace' ? undefined : startAudit(choice, command);
  let checked: CheckedOptions;
  try {
    checked = await checkOptions(options);
  } catch (err) {
    const early = await auditStart;
    if (typeof early === 'object' && 'audit' in early) await early.audit.abort();
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
    throw err;
  }
  const { rules, pipeline, output, saveFd, outputs } = checked;
  const picked = await pickSensor(choice, command, auditStart);
  if (typeof picked === 'number') {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', ignore);
    return picked;
  }
  picked.audit?.go();
  const { strace: session, audit, why } = picked;

  const [{ TraceParser }, { AuditEventBuilder }, { userNames }, { HostResolver, parseHosts, systemFile }, { RunSummary }, { Blocker, killPid }, engine] = await Promise.all([
    import('../sensor/trace-parser.js'),
    import('../sensor/audit/event-builder.js'),
    import('../sensor/audit/identity.js'),
    import('../sensor/resolver.js'),
    import('../sensor/run-summary.js'),
    import('../sensor/blocker.js'),
    loadEngine(rules, pipeline, output, checked.ruleCache).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
  ]);
  const summary = new RunSummary(started);
  const resolver = new HostResolver(parseHosts(systemFile('/etc/hosts')));
  const countBad = (b: BadRecord) => summary.countBad(b);
  let parser: { feed(chunk: string, out: NormalizedEvent[]): void; end(out: NormalizedEvent[]): void };
  let livePids: () => number[];
  let counts: BuilderCounts;
  let straceRootExit: () => { code?: number; signal?: string } | undefined = () => undefined;
  let auditBuilder: InstanceType<typeof AuditEventBuilder> | undefined;
  if (audit) {
    // The command's parent is supplywatch itself (strace's place in the other driver).
    const sensor = { pid: process.pid, image: process.execPath, commandLine: process.argv.join(' ') };
    auditBuilder = new AuditEventBuilder(audit.key, { host: hostname(), userOf: userNames(), root: { sensor, pid: audit.rootPid, cwd: process.cwd() } }, resolver, countBad);
    parser = auditBuilder;
    livePids = () => audit.livePids();
    counts = auditBuilder.counts;
  } else {
    const straceInfo = { pid: session!.strace.pid ?? 0, image: session!.argv[0]!, commandLine: session!.argv.join(' ') };
    const traceParser = new TraceParser(identity(straceInfo), resolver, countBad);
    parser = traceParser;
    livePids = () => traceParser.builder.table.livePids();
    counts = traceParser.builder.counts;
    straceRootExit = () => traceParser.rootExit;
  }
  // The driver's text (trace lines or audit records), held from the command's start.
  const driverOutput = audit ? audit.output : session!.output;
  // Without rules the command must not run unwatched: every process of the tree is killed as
  // soon as the trace shows it, as --block does.
  const failed = engine instanceof Error ? `cannot load the rules: ${engine.message}` : engine.rulesLoaded === 0 ? 'no rule could be loaded' : undefined;
  const blocker = new Blocker(options.block === true || failed !== undefined);
  if (failed !== undefined) blocker.killTree([], failed, 'error', Date.now());
  const live = engine instanceof Error || failed !== undefined ? undefined : engine;
  const written: string[] = [];
  let writtenCount = 0;

  if (live) {
    outputs?.start(live.packs, output);
    process.stdout.write(live.formatter.header);
  }
  const write = (chunk: string) => {
    if (!outputs) return void process.stdout.write(chunk);
    outputs.write(chunk);
    outputs.flush();
  };
  let seq = 0;
  const found: Alert[] = [];
  let text = '';
  const report = (at: number | undefined) => {
    for (const alert of found) {
      summary.countAlert(alert.rule.id ?? alert.rule.title, alert.rule.title);
      text += live!.formatter.format(alert);
      if (blocker.shouldBlock(alert.rule.level)) {
        blocker.killTree(livePids(), alert.rule.title, alert.rule.level!, at ?? Date.now());
      }
    }
    found.length = 0;
  };
  const handle = (events: NormalizedEvent[]) => {
    let saved = '';
    for (const event of events) {
      seq += 1;
      summary.countEvent(event.category);
      // Saved as the sensor saw it: scan adds the context fields again on replay.
      if (saveFd !== undefined) saved += safeJson(serializeEvent(event)) + '\n';
      if (event.category === 'file_event' && !blocker.triggered) {
        writtenCount += 1;
        if (written.length < MAX_LISTED_FILES) written.push(String(event.fields.TargetFilename));
      }
      if (!live) continue;
      live.detect(event, seq, found);
      report(event.time);
    }
    if (blocker.triggered) blocker.killLate(livePids());
    if (text) write(text);
    text = '';
    if (saveFd !== undefined && saved) writeSync(saveFd, saved);
  };
  // Lookups the audit driver's DNS stub answered: names for later connections, and events.
  audit?.onDns((answer) => auditBuilder!.dnsAnswered(answer));
  try {
    for await (const chunk of driverOutput.batches()) {
      const events: NormalizedEvent[] = [];
      parser.feed(chunk, events);
      handle(events);
    }
    const events: NormalizedEvent[] = [];
    parser.end(events);
    handle(events);
    if (live) {
      live.finish(found);
      report(undefined);
    }
    if (text) write(text);
  } finally {
    if (saveFd !== undefined) closeSync(saveFd);
  }
  const extra: string[] = [];
  let root: { code?: number; signal?: string } | undefined;
  let straceEnd: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  if (audit) {
    const end = await audit.exited;
    const ending = await audit.cleanup();
    root = end.signal ? { signal: end.signal } : { code: end.code ?? 0 };
    extra.push(audit.dnsStub ? `host names: the command's resolver was pointed at a DNS stub on ${audit.dnsStub}:53 (lookups it did not make through it are not named: docs/sensor.md)` : 'host names: no DNS stub (names come from /etc/hosts only)');
    if (!ending.complete) extra.push('the end of the audit records was not seen (the receiver stopped or was late): the last actions of the command may be missing');
    if (ending.lost > 0) extra.push(`the kernel dropped ${ending.lost} audit record(s) during the run (auditctl -s: lost): some actions may be missing`);
  } else {
    straceEnd = await session!.exited;
    session!.cleanup();
    root = straceRootExit();
  }
  process.off('SIGINT', ignore);
  process.off('SIGTERM', ignore);

  let status: number;
  let outcome: string;
  if (failed !== undefined) {
    outcome = `${failed}: the command, already started, was stopped (${blocker.killed.size} process(es) killed with SIGKILL)`;
    status = 2;
  } else if (!root) {
    const how = straceEnd?.signal ? `was killed by ${straceEnd.signal}` : `exited with ${straceEnd?.code}`;
    const left = livePids();
    // Under --seccomp-bpf a process whose tracer died gets ENOSYS from every traced call:
    // it cannot go on correctly, and nothing watches it any more.
    for (const pid of left) killPid(pid);
    outcome = summary.events === 0
      ? `strace ${how} before the command started (see strace's message above; in a container, ptrace needs the SYS_PTRACE capability)`
      : `strace ${how} before the command finished: what the command did after that was not seen${left.length ? `; its ${left.length} remaining process(es) were killed` : ''}`;
    status = 2;
  } else {
    const commandStatus = root.code ?? 128 + (osConstants.signals[root.signal as NodeJS.Signals] ?? 0);
    outcome = root.code !== undefined ? `command exited with ${root.code}` : `command killed by ${root.signal}`;
    status = commandStatus !== 0 ? commandStatus : summary.alerts > 0 ? 1 : 0;
  }
  if (blocker.triggered && failed === undefined) {
    const t = blocker.triggered;
    extra.push(
      `BLOCKED after the fact: '${terminalSafe(t.rule)}' (level ${t.level}) fired at ${new Date(t.at).toISOString()}; ${blocker.killed.size} process(es) of the tree were killed with SIGKILL.`,
      '  The action that raised the alert had already happened when the tree was killed. What remains: every file the',
      `  tree wrote before the kill (${writtenCount} file event(s)${writtenCount > written.length ? `, first ${written.length} listed` : ''}), partly installed packages, and anything a`,
      `  process started outside the tree (a daemon that detached before the kill is not traced).${written.length > 0 ? ' Review and clean up:' : ' The tree wrote no file before the kill.'}`,
      ...written.map((f) => `    ${terminalSafe(f)}`),
    );
  }
  if (outputs) extra.push(...(await outputs.closeReport()));
  if (options.save !== undefined) extra.push(`saved: ${summary.events} events to ${terminalSafe(options.save)} (replay: supplywatch scan ${terminalSafe(options.save)})`);
  extra.push(`exit status: ${status}`);
  if (!options.quiet || status === 2) {
    const rules = live ?? { rulesLoaded: 0, rejected: engine instanceof Error ? 0 : engine.rejected };
    process.stderr.write(summary.render({ command: command.join(' '), sensor: audit ? 'audit' : 'strace', why, outcome, counts, rulesLoaded: rules.rulesLoaded, rejected: rules.rejected, extra }));
  }
  return status;
}

interface Picked {
  strace?: TraceSession;
  audit?: AuditRun;
  /** Why this sensor runs, for the summary. */
  why: string;
}

interface CheckedOptions {
  rules: string[];
  pipeline: PipelineSpec;
  output: OutputSpec;
  saveFd?: number;
  outputs?: OutputSet;
  ruleCache?: string;
}

/** Everything the user can get wrong, checked (and `--save`, `--output` opened) before the command starts. */
async function checkOptions(options: RunOptions): Promise<CheckedOptions> {
  const { parseNow, parseOutputs, parseRuleSpecs, ruleCacheOption } = await import('./options.js');
  const { output, outputs: targets } = parseOutputs(options.format, false, options.output ?? []);
  const rules = parseRuleSpecs(options.rules ?? []);
  const now = parseNow(options.now);
  const config = options.config === undefined ? undefined : (await import('./config-option.js')).readConfig(options.config, now);
  const saveFd = options.save === undefined ? undefined : openForSave(options.save);
  // Opened before the command starts: a file that cannot be written is a usage error, not a lost run.
  const outputs = targets && new (await import('../outputs/output-set.js')).OutputSet(targets);
  return { rules, pipeline: { config, now }, output, ...ruleCacheOption(options.cache), ...(saveFd === undefined ? {} : { saveFd }), ...(outputs ? { outputs } : {}) };
}

/** The audit driver started (the command held), an exit status (its message written), or why not (strace then). */
type AuditStart = { audit: AuditRun; why: string } | number | { fallback: string; busy: boolean };

/**
 * `auto` or `audit`: the audit driver, when root and the kernel's audit are available and no other
 * sensor holds the audit receiver (`--sensor audit` waits for it later, in pickSensor).
 */
async function startAudit(choice: string, command: string[]): Promise<AuditStart> {
  const unavailable = auditPrerequisites();
  if (unavailable && choice === 'audit') {
    process.stderr.write(`supplywatch: --sensor audit: ${unavailable}\n`);
    return 2;
  }
  if (unavailable) return { fallback: `audit unavailable: ${unavailable}`, busy: false };
  try {
    return { audit: await launchAudit(command, { waitSeconds: 0, owner: 'run' }), why: choice === 'audit' ? '--sensor audit' : 'root, and the kernel audit is available' };
  } catch (err) {
    if (err instanceof AuditBusy) return { fallback: err.message, busy: true };
    if (choice === 'audit') {
      process.stderr.write(`supplywatch: --sensor audit: ${terminalSafe((err as Error).message)}\n`);
      return 2;
    }
    return { fallback: err instanceof AuditUnavailable ? `audit unavailable: ${err.message}` : `the audit driver could not start: ${(err as Error).message}`, busy: false };
  }
}

/**
 * The sensor the command runs under: the audit driver `startAudit` started, or (`--sensor audit`)
 * one that waits for the receiver to be free, else strace, which starts the command at once.
 * Returns an exit status when it cannot start (the message is written).
 */
async function pickSensor(choice: string, command: string[], auditStart: Promise<AuditStart> | undefined): Promise<Picked | number> {
  const start = await auditStart;
  if (typeof start === 'number') return start;
  if (start && 'audit' in start) return start;
  if (start?.busy && choice === 'audit') {
    process.stderr.write(`supplywatch: ${terminalSafe(start.fallback)}; waiting for it (up to ${AUDIT_WAIT_SECONDS} s)\n`);
    try {
      return { audit: await launchAudit(command, { waitSeconds: AUDIT_WAIT_SECONDS, owner: 'run' }), why: '--sensor audit' };
    } catch (again) {
      process.stderr.write(`supplywatch: --sensor audit: ${terminalSafe((again as Error).message)}\n`);
      return 2;
    }
  }
  const strace = findStrace();
  if (!strace) {
    process.stderr.write(`supplywatch: strace is not installed (run traces the command with it); ${STRACE_INSTALL_HINT}\n`);
    return 2;
  }
  return { strace: launchStrace(strace, command), why: start === undefined ? '--sensor strace' : terminalSafe(start.fallback) };
}

/** The rules and what runs them on each event; imported and compiled while the command runs. */
export interface Engine {
  rulesLoaded: number;
  rejected: number;
  packs: Pack[];
  formatter: AlertFormatter;
  /** Appends the event's alerts to `found`. */
  detect(event: NormalizedEvent, seq: number, found: Alert[]): void;
  /** Alerts held until the end (correlations). */
  finish(found: Alert[]): void;
}

/**
 * `ruleCache`: the rule cache's folder (rule-cache.ts): the parsed rules are read from it rather
 * than parsed again, CPU that the install being watched would otherwise share.
 */
export async function loadEngine(rules: string[], spec: PipelineSpec, output: OutputSpec, ruleCache?: string): Promise<Engine> {
  const [{ loadPacks }, { EventPipeline }, { makeFormatter }, { formatProblem }, { RuleCache }] = await Promise.all([
    import('../alerts/pack.js'),
    import('../alerts/pipeline.js'),
    import('../outputs/formats.js'),
    import('../outputs/problems.js'),
    import('../sigma/rule-cache.js'),
  ]);
  const loaded = await loadPacks(rules, undefined, ruleCache === undefined ? undefined : new RuleCache(ruleCache));
  for (const problem of loaded.rejected) process.stderr.write(`rule rejected: ${formatProblem(problem)}\n`);
  // The pipeline scan uses: live alerts and a replay of --save agree.
  const pipeline = new EventPipeline(loaded.packs, spec);
  return {
    rulesLoaded: loaded.packs.reduce((n, p) => n + p.rules.length + (p.correlations?.length ?? 0), 0),
    rejected: loaded.rejected.length,
    packs: loaded.packs,
    formatter: makeFormatter(output, loaded.packs),
    detect: (event, seq, found) => void pipeline.process(event, seq, found),
    finish: (found) => pipeline.finish(found),
  };
}

function identity(strace: ProcessInfo): SensorIdentity {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = String(process.getuid?.() ?? '');
  }
  return {
    host: hostname(),
    user,
    cwd: process.cwd(),
    strace,
  };
}

function openForSave(path: string): number {
  try {
    return openSync(path, 'w');
  } catch (err) {
    throw new UsageError(`--save: cannot write ${terminalSafe(path)}: ${(err as Error).message}`);
  }
}

