import type { Pack } from '../alerts/pack.js';
import type { FileIdentity } from '../sources/open.js';
import { outputIdentity } from '../sources/open.js';
import { terminalSafe } from './escape.js';
import { makeFormatter, type OutputSpec } from './formats.js';
import type { AlertFormatter, OutputDocument } from './formatter.js';
import { splitParts } from './multiplex.js';
import { FileSink, stdoutSink } from './sinks/file.js';
import type { OutputSink, SinkReport } from './sinks/sink.js';
import { openNetworkSink } from './sinks/network.js';
import type { OutputTarget } from './targets.js';

/** What one output could not deliver, by its spec as the user wrote it. */
export type OutputReport = { spec: string } & SinkReport;

/**
 * One line per output that lost alerts, as scan, run and watch write them (scan and watch after
 * their summary, even quiet; run in its summary). The spec and the reason are escaped: they carry
 * the user's paths and hosts, and what a receiver answered.
 */
export function undeliveredLines(reports: readonly OutputReport[]): string[] {
  return reports
    .filter((u) => u.undelivered > 0)
    .map((u) => terminalSafe(`--output ${u.spec}: ${u.undelivered} alert${u.undelivered === 1 ? '' : 's'} not delivered (${u.reason ?? 'receiver unavailable'})`));
}

interface Output {
  target: OutputTarget;
  sink: OutputSink;
  document: OutputDocument;
}

/**
 * The outputs of a scan (`--output`, repeatable), on the main thread: it receives each alert's
 * framed text (multiplex.ts) in final order, splits it, and gives each part to its output's
 * document (separators, caps, totals) and sink.
 */
export class OutputSet {
  private outputs: Output[] = [];
  private closed = false;
  private readonly sinks: OutputSink[];
  private readonly decoder = new TextDecoder();

  /** Opens every destination first: files are created before inputs are listed, so a scan never reads its own output. */
  constructor(private readonly targets: readonly OutputTarget[]) {
    this.sinks = targets.map(openSink);
  }

  /** Files the outputs write to: never read as input. */
  get files(): FileIdentity[] {
    return this.sinks.flatMap((s) => (s instanceof FileSink ? [outputIdentity(s.fd)].filter((i): i is FileIdentity => i !== undefined) : []));
  }

  /** The rules are loaded: each output gets its formatter and writes its header. */
  start(packs: readonly Pack[], multiplex: OutputSpec): void {
    this.outputs = this.targets.map((target, i) => {
      const formatter = makeFormatter(multiplex.parts![i]!, packs);
      const sink = this.sinks[i]!;
      sink.write(formatter.header);
      return { target, sink, document: formatter.document?.() ?? plainDocument(formatter) };
    });
  }

  /** One alert's framed text, or several alerts' back to back. */
  write(framed: string): void {
    splitParts(framed, this.outputs.length, (i, text) => {
      const output = this.outputs[i]!;
      const out = output.document.add(text);
      if (out) output.sink.write(out);
    });
  }

  /** Framed text of whole alerts, encoded (a worker's block). */
  writeBytes(bytes: Uint8Array): void {
    this.write(this.decoder.decode(bytes));
  }

  flush(): void {
    for (const o of this.outputs) o.sink.flush();
  }

  /** Ends every document, then waits for every sink: what could not be delivered, per output. */
  async close(): Promise<OutputReport[]> {
    if (this.closed) return [];
    this.closed = true;
    for (const o of this.outputs) o.sink.write(o.document.end());
    // Every sink, started or not (rules that failed to load): a syslog sink retrying keeps the process alive.
    return Promise.all(this.sinks.map(async (sink, i) => ({ spec: this.targets[i]!.spec, ...(await sink.close()) })));
  }

  /**
   * Closes the outputs, as scan, run and watch end: a line per output that could not deliver all
   * its alerts (a syslog or HEC receiver refusing or missing the final flush), or why they could
   * not be closed at all (a full disk under a file output). Escaped. Any line means alerts were
   * lost: scan and watch then exit 2, they must not pass for a clean end.
   */
  async closeReport(): Promise<string[]> {
    try {
      return undeliveredLines(await this.close());
    } catch (err) {
      return [terminalSafe(`--output: the outputs could not be closed, their last alerts may be lost: ${(err as Error).message}`)];
    }
  }

  /** A scan that failed: close the destinations without waiting (nothing more will come). */
  abandon(): void {
    void this.close();
  }
}

/** Alerts as formatted, the format's separator between them and its footer at the end. */
function plainDocument(formatter: AlertFormatter): OutputDocument {
  let first = true;
  const separator = formatter.separator ?? '';
  return {
    add(text) {
      if (first) {
        first = false;
        return text;
      }
      return separator + text;
    },
    end: () => formatter.footer ?? '',
  };
}

function openSink(target: OutputTarget): OutputSink {
  const d = target.destination;
  if (d.kind === 'stdout') return stdoutSink();
  if (d.kind === 'file') return new FileSink(d.path);
  return openNetworkSink(d);
}
