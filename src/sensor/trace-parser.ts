import type { NormalizedEvent } from '../events/event.js';
import { OVERSIZED_LINE } from '../sources/lines.js';
import type { BadRecord } from '../sources/reader.js';
import { EventBuilder, type SensorIdentity } from './event-builder.js';
import { LineJoiner } from './line-joiner.js';
import { LineSplitter, type LineSink } from './line-splitter.js';
import type { HostResolver } from './resolver.js';
import { failedRecord } from './record-guard.js';
import { parseCallLine } from './strace-syntax.js';

/**
 * strace output text → normalized events, chunk by chunk (no I/O, so tests feed it recorded
 * output). Splits lines, joins split calls, parses, builds events; malformed lines are reported
 * with their line number and reading goes on.
 */
export class TraceParser {
  readonly builder: EventBuilder;
  private readonly joiner = new LineJoiner();
  private readonly lines = new LineSplitter();
  private lineNo = 0;
  private rootPid?: number;
  /** The traced command's own end, from its `+++ exited with N +++` / `+++ killed by SIG +++` line. */
  rootExit?: { code?: number; signal?: string };

  constructor(identity: SensorIdentity, resolver: HostResolver, private readonly onBad: (bad: BadRecord) => void) {
    this.builder = new EventBuilder(identity, resolver, (line, reason) => this.bad(line, reason));
  }

  feed(chunk: string, out: NormalizedEvent[]): void {
    this.lines.feed(chunk, this.sink(out));
  }

  end(out: NormalizedEvent[]): void {
    this.lines.end(this.sink(out));
    for (const open of this.joiner.pending()) {
      // A thread killed inside a call (exec by a sibling, SIGKILL) never returns from it.
      this.bad(open.line, `${open.name}: call never finished (thread ended inside it)`);
    }
    this.builder.finish(out);
  }

  private sink(out: NormalizedEvent[]): LineSink {
    return { line: (text) => this.line(text, out), tooLong: () => this.bad(++this.lineNo, OVERSIZED_LINE) };
  }

  private line(text: string, out: NormalizedEvent[]): void {
    this.lineNo += 1;
    if (text === '') return;
    try {
      this.record(text, out);
    } catch (err) {
      this.bad(this.lineNo, failedRecord(err));
    }
  }

  private record(text: string, out: NormalizedEvent[]): void {
    const joined = this.joiner.push(text, this.lineNo, (p) => this.bad(p.line, p.reason));
    if (!joined) return;
    if (this.exitLine(joined.text)) return;
    const call = parseCallLine(joined.text);
    if (call === undefined) return;
    if (typeof call === 'string') {
      this.bad(joined.line, call);
      return;
    }
    if (this.rootPid === undefined) this.rootPid = call.tid;
    this.builder.handle(call, joined.line, out);
  }

  private exitLine(text: string): boolean {
    const m = /^(\d+) +\d+\.\d+ +\+\+\+ (?:exited with (\d+)|killed by (SIG[A-Z0-9]+))/.exec(text);
    if (!m) return false;
    this.builder.table.exited(Number(m[1]));
    if (Number(m[1]) === this.rootPid) this.rootExit = m[2] !== undefined ? { code: Number(m[2]) } : { signal: m[3]! };
    return true;
  }

  private bad(line: number, reason: string): void {
    this.onBad({ file: 'strace', format: 'strace', line, reason });
  }
}
