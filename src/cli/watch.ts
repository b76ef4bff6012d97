import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Alert } from '../alerts/alert.js';
import type { PipelineSpec } from '../alerts/pipeline.js';
import { serializeEvent, type NormalizedEvent } from '../events/event.js';
import { safeJson, terminalSafe } from '../outputs/escape.js';
import { UsageError } from '../errors.js';
import { readConfig } from './config-option.js';
import { parseNow, parseOutputs, parseRuleSpecs } from './options.js';
import { loadEngine } from './run.js';

export interface WatchOptions {
  rules?: string[];
  block?: boolean;
  save?: string;
  format?: string;
  output?: string[];
  config?: string;
  now?: string;
}

/** How often a receiver that stopped (auditd killed or restarted) is started again, at most, in a row. */
const MAX_RESTARTS = 10;
/** The kernel's backlog while watching the whole machine. */
const WATCH_BACKLOG = 65_536;
/**
 * While watching the whole machine no process waits for room in a full backlog (0): with the
 * kernel's default, every process of the host that makes an audited call stalls up to 60 s per
 * record while auditd is down or behind (seen: a test suite stalled for minutes while a test
 * killed watch's auditd). Records past the backlog are dropped and counted (`lost`), and the
 * summary reports them. `run` keeps the default: only the watched command waits there.
 */
const WATCH_BACKLOG_WAIT = 0;

/**
 * `supplywatch watch`: the host sensor. Audits the whole machine (but itself) with the audit
 * driver's rules, follows every package manager's process tree by ancestry (npm, pnpm, yarn,
 * bun, pip, uv, poetry, gem, bundler, cargo, go, dotnet, nuget, composer), runs the rules on
 * their events and streams the alerts as they happen (JSONL by default; `--output` as for scan).
 * Runs until SIGINT or SIGTERM, then removes its rules and exits 0, or 2 when alerts could not
 * be delivered to an `--output` (said on stderr). docs/sensor.md.
 */
export async function watchCommand(options: WatchOptions): Promise<number> {
  if (options.format === 'table') throw new UsageError('watch streams alerts: --format jsonl or csv (a table needs the end of the input)');
  // JSONL on stdout by default, on a terminal too (a table needs the end of the input); with
  // --output and no --format, stdout gets nothing (as for scan and run).
  const { output, outputs: targets } = parseOutputs(options.format ?? (process.stdout.isTTY ? 'jsonl' : undefined), false, options.output ?? []);
  const rules = parseRuleSpecs(options.rules ?? []);
  const now = parseNow(options.now);
  const config = readConfig(options.config, now);
  const spec: PipelineSpec = { config, now, liveClock: options.now === undefined };
  const [{ auditUnavailable }, { takeLock, markDirty }, { auditStatus, loadRules, recordsLostSince }, { startReceiver }, { newKey, ruleLines }, { removeStale }, { userNames }, { HostResolver, parseHosts, systemFile }, { WatchProcessor }, { BLOCKING_LEVELS, killPid }] = await Promise.all([
    import('../sensor/audit/availability.js'),
    import('../sensor/audit/janitor.js'),
    import('../sensor/audit/control.js'),
    import('../sensor/audit/receiver.js'),
    import('../sensor/audit/rules.js'),
    import('../sensor/audit/stale.js'),
    import('../sensor/audit/identity.js'),
    import('../sensor/resolver.js'),
    import('../sensor/watch/processor.js'),
    import('../sensor/blocker.js'),
  ]);
  const unavailable = auditUnavailable();
  if (unavailable) {
    process.stderr.write(`supplywatch watch: ${terminalSafe(unavailable)}\n`);
    return 2;
  }
  // An audit session of its own: the rules exclude it, so the sensor, its auditd and its auditctl
  // calls are never audited (it would otherwise watch itself reading its own records).
  const ownSession = newAuditSession();
  if (ownSession === undefined) {
    process.stderr.write('supplywatch watch: cannot start an audit session of its own (writing /proc/self/loginuid failed)\n');
    return 2;
  }
  const janitor = await takeLock(0, `watch ${process.pid}`);
  if (!janitor) {
    process.stderr.write('supplywatch watch: another supplywatch sensor uses the audit receiver (a run, or another watch)\n');
    return 2;
  }
  const engine = await loadEngine(rules, spec, output).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  if (engine instanceof Error || engine.rulesLoaded === 0) {
    await janitor.finish();
    process.stderr.write(`supplywatch watch: ${terminalSafe(engine instanceof Error ? `cannot load the rules: ${engine.message}` : 'no rule could be loaded')}\n`);
    return 2;
  }
  const outputs = targets && new (await import('../outputs/output-set.js')).OutputSet(targets);
  outputs?.start(engine.packs, output);
  const saveFd = options.save === undefined ? undefined : openSync(options.save, 'a');

  const before = auditStatus();
  removeStale(before.pid);
  markDirty();
  const key = newKey('watch');
  janitor.tell(`restore ${before.enabled} ${before.backlogLimit}${before.backlogWaitTime === undefined ? '' : ` ${before.backlogWaitTime}`}`);
  janitor.tell(`key ${key}`);
  let bad = 0;
  const processor = new WatchProcessor(key, { host: hostname(), userOf: userNames() }, new HostResolver(parseHosts(systemFile('/etc/hosts'))), (b) => {
    bad += 1;
    if (bad <= 20) process.stderr.write(`supplywatch watch: bad record: ${terminalSafe(b.reason)} (line ${b.line})\n`);
  });
  const counts = { events: 0, alerts: 0, blocked: 0, restarts: 0 };
  const write = (text: string) => {
    if (!outputs) return void process.stdout.write(text);
    outputs.write(text);
    outputs.flush();
  };
  if (engine.formatter.header) write(engine.formatter.header);
  let seq = 0;
  const found: Alert[] = [];
  const handle = (events: NormalizedEvent[]) => {
    let text = '';
    let saved = '';
    for (const event of events) {
      counts.events += 1;
      seq += 1;
      if (saveFd !== undefined) saved += safeJson(serializeEvent(event)) + '\n';
      engine.detect(event, seq, found);
      for (const alert of found) {
        counts.alerts += 1;
        text += engine.formatter.format(alert);
        if (options.block && BLOCKING_LEVELS.has(alert.rule.level?.toLowerCase() ?? '')) for (const pid of processor.treeOf(event)?.members ?? []) if (killPid(pid)) counts.blocked += 1;
      }
      found.length = 0;
    }
    if (text) write(text);
    if (saved) writeSync(saveFd!, saved);
  };

  let stopping = false;
  let receiver = await startReceiver();
  janitor.tell(`auditd ${receiver.auditd.pid}`);
  janitor.tell(`dir ${receiver.dir}`);
  loadRules(['-e 1', `-b ${Math.max(WATCH_BACKLOG, before.backlogLimit)}`, ...(before.backlogWaitTime === undefined ? [] : [`--backlog_wait_time ${WATCH_BACKLOG_WAIT}`]), ...ruleLines(key, { excludeSessionId: ownSession })]);
  const follow = () => {
    receiver.socket.setEncoding('latin1');
    // A socket error is followed by 'close', which restarts the receiver.
    receiver.socket.on('error', () => undefined);
    receiver.socket.on('data', (chunk: string) => {
      const events: NormalizedEvent[] = [];
      try {
        processor.feed(chunk, events);
        handle(events);
      } catch (err) {
        // A host sensor goes on past what it cannot handle (a full disk under --save, a bug on
        // one record): counted and said, as a bad record.
        bad += 1;
        if (bad <= 20) process.stderr.write(`supplywatch watch: records skipped: ${terminalSafe((err as Error).message)}\n`);
      }
    });
    receiver.socket.once('close', () => void restart());
  };
  // auditd stopped (killed, or restarted by someone): start a new one; the rules stay in the kernel.
  const restart = async () => {
    if (stopping) return;
    if (++counts.restarts > MAX_RESTARTS) return void stop(2, `auditd stopped ${MAX_RESTARTS} times: giving up`);
    process.stderr.write('supplywatch watch: the audit receiver stopped; starting it again\n');
    await receiver.stop().catch(() => undefined);
    try {
      receiver = await startReceiver();
    } catch (err) {
      return void stop(2, `cannot start auditd again: ${(err as Error).message}`);
    }
    janitor.tell(`auditd ${receiver.auditd.pid}`);
    janitor.tell(`dir ${receiver.dir}`);
    follow();
    process.stderr.write(`supplywatch watch: the audit receiver is back (auditd pid ${receiver.auditd.pid}); records made while it was down are lost\n`);
  };
  follow();
  process.stderr.write(`supplywatch watch: watching package managers' process trees (audit key ${key}; ${engine.rulesLoaded} rules)\n`);

  let resolveDone!: (status: number) => void;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const stop = async (status: number, why?: string) => {
    if (stopping) return;
    stopping = true;
    if (why) process.stderr.write(`supplywatch watch: ${terminalSafe(why)}\n`);
    receiver.socket.destroy();
    const events: NormalizedEvent[] = [];
    processor.end(events);
    handle(events);
    engine.finish(found);
    if (found.length > 0) write(found.map((a) => engine.formatter.format(a)).join(''));
    await receiver.stop().catch(() => undefined);
    const lost = recordsLostSince(before.lost);
    // Waited for: a clean shutdown leaves no rule.
    await janitor.finish();
    const undelivered = (await outputs?.closeReport()) ?? [];
    if (saveFd !== undefined) closeSync(saveFd);
    process.stderr.write(
      `supplywatch watch: stopped; ${counts.events} events of package managers' trees, ${processor.outside} execs and ${processor.builder.unfollowed} other calls of other processes dropped, ${counts.alerts} alerts` +
        `${options.block ? `, ${counts.blocked} processes killed by --block` : ''}, ${bad} bad records, receiver restarts ${counts.restarts}, ${lost} records dropped by the kernel (backlog full)\n`,
    );
    for (const line of undelivered) process.stderr.write(`supplywatch watch: ${line}\n`);
    // Alerts that never reached their destination must not pass for a clean stop.
    resolveDone(undelivered.length > 0 ? 2 : status);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  return done;
}

/** Puts this process in a new audit session; its id, or undefined when the kernel refused. */
function newAuditSession(): number | undefined {
  try {
    const current = readFileSync('/proc/self/loginuid', 'utf8').trim();
    writeFileSync('/proc/self/loginuid', current === '4294967295' ? String(process.getuid?.() ?? 0) : current);
    return Number(readFileSync('/proc/self/sessionid', 'utf8').trim());
  } catch {
    return undefined;
  }
}


