import type { Alert } from '../alerts/alert.js';
import { AlertCollector } from '../alerts/collector.js';
import type { CorrelationMatch } from '../alerts/detector.js';
import type { FormattedAlert } from '../alerts/formatted.js';
import type { Pack } from '../alerts/pack.js';
import { EventPipeline } from '../alerts/pipeline.js';
import { stateRecord, type StateRecord } from '../enrich/records.js';
import type { NormalizedEvent } from '../events/event.js';
import { formatAlert, ruleKey } from '../outputs/format-alert.js';
import type { AlertFormatter } from '../outputs/formatter.js';
import { makeFormatter } from '../outputs/formats.js';
import { shedStartupGarbage } from '../runtime/startup-garbage.js';
import { fileRangeChunks } from '../sources/file-range.js';
import { READ_CHUNK_BYTES, readInputs, type UnreadableInput } from '../sources/open.js';
import type { BadRecord, SplittableReader } from '../sources/reader.js';
import { READERS } from '../sources/registry.js';
import { BlockBuilder, SpareBuffers, type AlertBlock } from './alert-block.js';
import type { DispatchedTask, MainMessage, ScanSetup, TaskResult, WorkerMessage } from './protocol.js';

/** Reported bad records per task; the rest are only counted (the summary shows 50 anyway). */
const BAD_KEPT = 50;
/** Events a scanner holds between its two passes (a 16 MiB range is far below this). */
const HELD_EVENTS = 200_000;
/** Event positions are task-major, so ordering ties across threads keep input order. */
const SEQ_PER_TASK = 2 ** 32;

/** How a scanner answers the pool: a worker posts to the main thread, the main thread's own scanner calls the pool. */
export type ScannerSend = (message: WorkerMessage, transfer?: ArrayBuffer[]) => void;

/**
 * Runs the tasks the pool sends, one at a time, and answers with their blocks, state records
 * and results. One per worker thread (worker.ts), and one on the main thread, which scans
 * beside the workers (pool.ts): the same code, so the output cannot depend on which thread ran a task.
 */
export class TaskScanner {
  /** Its enrichment state is kept across this scanner's tasks and caught up by the relay (state-relay.ts). */
  private readonly pipeline: EventPipeline;
  private readonly formatter: AlertFormatter;
  private readonly spare = new SpareBuffers();
  /** The first passes of the tasks received, one after the other. */
  private reading: Promise<unknown> = Promise.resolve();
  /** The task being scanned and those queued behind it. */
  private running: Promise<void> = Promise.resolve();
  /** Per task: resolves with the records of the tasks other scanners ran before it. */
  private readonly states = new Map<number, { records?: StateRecord[]; resolve?: (records: StateRecord[]) => void }>();
  /** Events held between the passes, all tasks together: at most HELD_EVENTS, however far this scanner reads ahead. */
  private held = 0;

  constructor(
    packs: Pack[],
    private readonly setup: ScanSetup,
    private readonly send: ScannerSend,
  ) {
    this.pipeline = new EventPipeline(packs, setup.pipeline);
    this.formatter = makeFormatter(setup.output, packs);
  }

  receive(message: MainMessage): void {
    if ('type' in message) {
      if (message.type === 'spare') return this.spare.give(message.buffer);
      const waiting = this.states.get(message.task);
      if (waiting?.resolve) waiting.resolve(message.records);
      else this.states.set(message.task, { records: message.records });
      return;
    }
    // The pool sends the next task before this one ends (pool.ts): its first pass runs as soon
    // as the previous first pass ends, its second after the previous task.
    const read = this.reading.then(() => this.readTask(message));
    // A failed first pass fails its task (below), not the next tasks' first passes.
    this.reading = read.catch(() => {});
    this.running = this.running.then(() => read).then((first) => this.scanTask(message, first)).then(
      (result) => this.send({ type: 'result', result }),
      (err: unknown) => this.send({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
    );
  }

  /** Blocks are transferred: the main thread receives their bytes without a copy, and a worker's heap never holds them. */
  private sendBlock(block: AlertBlock): void {
    const transfer: ArrayBuffer[] = [block.ends.buffer as ArrayBuffer, block.seqs.buffer as ArrayBuffer];
    if (block.bytes.byteLength > 0) transfer.push(block.bytes.buffer as ArrayBuffer);
    this.send({ type: 'block', block }, transfer);
  }

  /** The records of the tasks other scanners ran before `task`, once the relay has them all. */
  private stateBefore(task: number): Promise<StateRecord[]> {
    const arrived = this.states.get(task);
    if (arrived?.records) {
      this.states.delete(task);
      return Promise.resolve(arrived.records);
    }
    return new Promise((resolve) => this.states.set(task, { resolve: (records) => (this.states.delete(task), resolve(records)) }));
  }

  /** Reads the task; `bad` gets its bad records, and reports that it cannot be read at all go to the result (once: `bad` is a no-op on a second read). */
  private read(task: DispatchedTask, result: TaskResult, each: (batch: NormalizedEvent[]) => void, bad: (b: BadRecord) => void, reporting = true): Promise<void> {
    const shift = (batch: NormalizedEvent[]) => {
      if (task.lineBase) for (const event of batch) if (event.source.line !== undefined) event.source.line += task.lineBase;
      each(batch);
    };
    return (async () => {
      if (task.range) {
        const { format, start, end } = task.range;
        // Ranges are planned for splittable formats only (plan.ts).
        const reader = READERS.find((r): r is SplittableReader => r.format === format && r.splittable === true)!;
        const chunks = fileRangeChunks(task.input, start, end, READ_CHUNK_BYTES);
        for await (const batch of reader.read(chunks, { file: task.input, bad })) shift(batch);
      } else {
        // The task reads one path as an argument: it says whether it was one, or found in a folder.
        const onUnreadable = (u: UnreadableInput) => void (reporting && result.unreadable.push({ ...u, named: task.named }));
        for await (const batch of readInputs([task.input], { inputFormat: this.setup.inputFormat, onBad: bad, onUnreadable })) {
          result.format = batch.format;
          shift(batch.events);
        }
      }
    })();
  }

  /**
   * Pass 1: with enrichment, read the task and send its state records. Events are held for
   * pass 2 up to HELD_EVENTS with those of the tasks read ahead (a byte range always fits); a
   * task that finds no room is read again instead. Without enrichment there is no state: no pass 1, no records, and no waiting
   * for the records of earlier tasks (a task queued behind another on a busy scanner would hold
   * up every later one: docs/performance.md#state-relay-only-with-enrichment).
   */
  private async readTask(task: DispatchedTask): Promise<FirstPass> {
    const result: TaskResult = { task, format: task.range?.format ?? 'unknown', events: 0, outsideWindow: 0, bad: [], badCount: 0, unreadable: [] };
    const onBad = (b: BadRecord) => {
      result.badCount += 1;
      if (b.line !== undefined) b.line += task.lineBase;
      if (result.bad.length < BAD_KEPT) result.bad.push(b);
    };
    if (this.pipeline.enricher === undefined) return { result, onBad };
    let heldEvents: NormalizedEvent[] | undefined = [];
    const records: StateRecord[] = [];
    await this.read(task, result, (batch) => {
      for (const event of batch) {
        const rec = stateRecord(event);
        if (rec) records.push(rec);
      }
      if (heldEvents && this.held + batch.length <= HELD_EVENTS) {
        heldEvents.push(...batch);
        this.held += batch.length;
      } else if (heldEvents) {
        this.held -= heldEvents.length;
        heldEvents = undefined;
      }
    }, onBad);
    this.send({ type: 'records', task: task.id, records });
    return { result, onBad, heldEvents, enriching: true };
  }

  /** Pass 2: enrich, detect, format. */
  private async scanTask(task: DispatchedTask, first: FirstPass): Promise<TaskResult> {
    const { setup, pipeline, formatter } = this;
    const { result, enriching } = first;
    if (enriching) {
      // Every task this scanner holds is read first, and its records sent: the other scanners'
      // tasks after them need those records, and would wait for this one's scan
      // (docs/performance.md#state-relay-read-ahead).
      for (let ahead = this.reading; ; ahead = this.reading) {
        await ahead;
        if (ahead === this.reading) break;
      }
      // Catch up with the tasks run elsewhere (this task's own records apply as it enriches).
      for (const rec of await this.stateBefore(task.id)) pipeline.applyState(rec);
    }
    const seqBase = task.id * SEQ_PER_TASK;
    const found: Alert[] = [];
    const matches: CorrelationMatch[] = [];
    const blocks = new BlockBuilder(task.id, (block) => this.sendBlock(block), this.spare);
    // Ordered scans: only the task's alerts that can make the limit reach the main thread.
    const held: FormattedAlert[] = [];
    const collector = setup.order ? new AlertCollector((alert) => held.push(alert), setup.order, setup.limit) : undefined;
    const scanBatch = (events: NormalizedEvent[]) => {
      for (const event of events) {
        result.events += 1;
        if (!pipeline.process(event, seqBase + result.events, found, matches)) result.outsideWindow += 1;
      }
      blocks.queueMatches(matches);
      matches.length = 0;
      for (const alert of found) {
        if (collector) {
          const formatted = formatAlert(alert, formatter);
          blocks.count(formatted.seq, formatted.rule, formatted.title);
          collector.add(formatted);
        } else {
          blocks.add(alert.seq, ruleKey(alert.rule), alert.rule.title, formatter.format(alert));
        }
      }
      found.length = 0;
      blocks.endBatch();
      if (events.length > 0) shedStartupGarbage();
    };
    if (first.heldEvents) {
      scanBatch(first.heldEvents);
      this.held -= first.heldEvents.length;
    }
    // With enrichment, bad records and unreadable inputs were reported in pass 1.
    else await this.read(task, result, scanBatch, enriching ? () => {} : first.onBad, !enriching);
    collector?.finish();
    blocks.finish(collector ? held : undefined);
    return result;
  }
}

/** What pass 1 leaves for pass 2: the result so far, and with enrichment the events read (unless too many). */
interface FirstPass {
  result: TaskResult;
  onBad: (b: BadRecord) => void;
  heldEvents?: NormalizedEvent[];
  enriching?: boolean;
}
