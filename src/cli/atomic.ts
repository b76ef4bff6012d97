/**
 * `supplywatch atomic list | show N | run N [--keep] | cleanup N | verify N FILE`: the seed's four
 * Atomic Red Team tests, run harmlessly on this machine under `supplywatch run`, with the
 * Windows commands printed for a Windows test host (docs/atomic.md).
 */
import { ATOMIC_TESTS, atomicTest, type AtomicTest } from '../atomic/tests.js';
import { DETECTING_PACK, findTools, runAtomic, verifyAtomic } from '../atomic/run.js';
import { removeWorkspace, workspaceOf } from '../atomic/workspace.js';
import type { AlertLine } from '../response/alert-line.js';
import { UsageError } from '../errors.js';
import { terminalSafe } from '../outputs/escape.js';

const out = (text: string) => process.stdout.write(text);

function testOf(n: string): AtomicTest {
  const test = /^\d+$/.test(n) ? atomicTest(Number(n)) : undefined;
  if (!test) throw new UsageError(`no atomic test '${n}' (tests: ${ATOMIC_TESTS.map((t) => t.number).join(', ')}; see supplywatch atomic list)`);
  return test;
}

export function atomicListCommand(): number {
  for (const t of ATOMIC_TESTS) out(`${t.number}. ${t.name}\n   here: ${t.linux}\n`);
  out('\nsupplywatch atomic run N | cleanup N | verify N FILE | show N (Windows commands and expected events)\n');
  return 0;
}

export function atomicShowCommand(n: string): number {
  const t = testOf(n);
  out(`${t.number}. ${t.name}\n\nOn this machine (supplywatch atomic run ${t.number}): ${t.linux}\n\nOn a Windows test host (cmd.exe):\n`);
  for (const c of t.windows) out(`  ${c}\n`);
  out('Expected events:\n');
  for (const e of t.expectedWindows) out(`  - ${e}\n`);
  out('Cleanup:\n');
  for (const c of t.windowsCleanup) out(`  ${c}\n`);
  out(`Then export the host's telemetry and check it: supplywatch atomic verify ${t.number} EXPORT\n`);
  return 0;
}

/** Exit status: 0 the hardened pack fired at medium or above, 1 it did not, 2 the test could not run. */
export async function atomicRunCommand(n: string, o: { keep?: boolean }): Promise<number> {
  const t = testOf(n);
  const tools = findTools();
  if (typeof tools === 'string') throw new UsageError(`atomic test ${t.number} cannot run here: ${tools}`);
  out(`atomic test ${t.number}: ${t.name}\n  ${t.linux}\n`);
  const r = await runAtomic(t, { cli: process.argv[1]!, keep: o.keep, tools });
  out(`  command exit status: ${r.commandStatus ?? 'unknown'}\n`);
  const sensor = /^sensor: .*$/m.exec(r.summary);
  if (sensor) out(`  ${terminalSafe(sensor[0])}\n`);
  for (const note of r.notes) out(`  ${terminalSafe(note)}\n`);
  out(`  evidence the behaviour ran: ${r.evidence.found.length ? r.evidence.found.join(', ') : 'none'}${r.evidence.missing.length ? ` (missing: ${r.evidence.missing.join(', ')})` : ''}\n`);
  out(alertsText(r.fired, r.below));
  if (r.leads.length) out(`  hunting leads (not counted): ${[...new Set(r.leads.map((a) => `${(a.rule.level ?? '?').toUpperCase()} ${terminalSafe(a.rule.title)}`))].join('; ')}\n`);
  out(r.kept ? `  workspace kept: ${r.workspace} (supplywatch atomic cleanup ${t.number} removes it)\n` : `  cleaned up: ${r.workspace} removed\n`);
  if (r.evidence.missing.length) {
    out(`RESULT: DID NOT RUN — the test's behaviour left no evidence; supplywatch run said:\n${terminalSafe(r.summary).replace(/\\n/g, '\n')}\n`);
    return 2;
  }
  if (r.fired.length) {
    out(`RESULT: DETECTED — the ${DETECTING_PACK} pack fired at medium or above under supplywatch run\n`);
    return 0;
  }
  out(`RESULT: NOT DETECTED — the test ran, but the ${DETECTING_PACK} pack raised no alert at medium or above on this machine\n`);
  return 1;
}

export function atomicCleanupCommand(n: string): number {
  const t = testOf(n);
  const ws = workspaceOf(t.number);
  const removed = removeWorkspace(ws);
  out(removed.length ? `removed ${ws.root} (${removed.join(', ')})\n` : `nothing to clean: ${ws.root} does not exist\n`);
  return 0;
}

/** Exit status: 0 detected, 1 the test's events are there but not detected, 2 no event of the test in the file. */
export async function atomicVerifyCommand(n: string, file: string): Promise<number> {
  const t = testOf(n);
  const r = await verifyAtomic(t, file, process.argv[1]!);
  if (r.stderr.trim()) process.stderr.write(r.stderr);
  out(`atomic test ${t.number}: ${t.name}\n  ${terminalSafe(file)}: ${r.events} events, ${r.testEvents} of them from the test (fields matching ${t.marker})\n`);
  out(alertsText(r.fired, r.below));
  out(`  seed pack on the test's events: ${r.seed.length ? r.seed.map((a) => terminalSafe(a.rule.title)).join('; ') : 'no alert'}\n`);
  if (r.testEvents === 0) {
    out(`RESULT: NOT SEEN — no event of test ${t.number} in this export: the pipeline did not collect it (or the test was not run)\n`);
    return 2;
  }
  if (r.fired.length) {
    out(`RESULT: DETECTED — the ${DETECTING_PACK} pack fires at medium or above on this export\n`);
    return 0;
  }
  out(`RESULT: NOT DETECTED — the test's events are in the export, but the ${DETECTING_PACK} pack raises no alert at medium or above on them\n`);
  return 1;
}

function alertsText(fired: AlertLine[], below: AlertLine[]): string {
  const list = (alerts: AlertLine[]) => [...new Set(alerts.map((a) => `${(a.rule.level ?? '?').toUpperCase()} ${terminalSafe(a.rule.title)}`))].join('; ');
  return `  ${DETECTING_PACK} alerts at medium or above: ${fired.length ? list(fired) : 'none'}\n${below.length ? `  below medium: ${list(below)}\n` : ''}`;
}
