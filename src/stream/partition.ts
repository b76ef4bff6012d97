/**
 * One partition, consumed by the worker that holds its lease: in stream order from the
 * checkpoint, through its own EventPipeline (alerts/pipeline.ts: enrichment, tuned detection,
 * correlations, context), whose state is exactly the state of the hosts of this partition.
 *
 * For each message: its alerts are published to the alerts stream with `Nats-Msg-Id` = the
 * alert's deterministic id, and the message is acknowledged only once the store has confirmed
 * them. Messages are processed strictly in order, so the consumer acknowledges cumulatively
 * (AckPolicy.All: an ack of sequence n is an ack of every message before it): one ack per
 * ACK_EVERY messages, or once the messages of a socket read are processed, sent after the
 * confirmations of every alert up to it. Messages come to a callback as the client parses them
 * and are processed synchronously while nothing has to be awaited, so the alerts of a socket
 * read leave in one write (docs/performance.md, Streaming). The next messages are processed
 * while confirmations are awaited (at most inFlight alerts unconfirmed), so a store round trip
 * per alert does not stall the partition. A checkpoint is written only once
 * everything up to its sequence is stored; its state is serialized when taken, and the next
 * messages are processed while it is written. A message the readers cannot use goes to the dead-letter subject with the reason
 * and its place in the stream, and the partition goes on. The state is checkpointed every so
 * many events or seconds and when the partition is released; a worker that takes over replays
 * from the checkpoint, and the alerts stream drops the alerts it had already stored.
 */
import { randomBytes } from 'node:crypto';
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg, type PubAck } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Alert } from '../alerts/alert.js';
import { idOfAlert } from '../alerts/alert-id.js';
import type { Pack } from '../alerts/pack.js';
import { EventPipeline, type PipelineSpec } from '../alerts/pipeline.js';
import type { AlertFormatter } from '../outputs/formatter.js';
import type { CheckpointStore, PartitionCheckpoint } from './checkpoint.js';
import { consumersByPartition } from './consumers.js';
import { deadLetter } from './dead-letter.js';
import { decodeMessage, type Decoded } from './message.js';
import type { Names } from './topology.js';

export interface PartitionSettings {
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: Names;
  packs: Pack[];
  spec: PipelineSpec;
  formatter: AlertFormatter;
  checkpoints: CheckpointStore;
  owner: string;
  /** Messages delivered and not yet acknowledged, at most. */
  inFlight: number;
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  /** The server's max_payload: a dead letter is made to fit it. */
  maxPayload: number;
  /** Progress and problems, one line each. */
  log(line: string): void;
  counters: StreamCounters;
}

export interface StreamCounters {
  messages: number;
  alerts: number;
  /** Alerts the alerts stream already had (a replay after a takeover). */
  duplicates: number;
  deadLetters: number;
}

/** Reasons for one dead letter, in the order they were found. */
const join = (before: string | undefined, reason: string) => (before === undefined ? reason : `${before}; ${reason}`);

/** Messages acknowledged together at most (one cumulative ack). */
const ACK_EVERY = 128;
/** Room for an alert's headers (`Nats-Msg-Id`) beside it under max_payload. */
const ALERT_HEADER_BYTES = 256;

export class PartitionConsumer {
  private checkpoint: PartitionCheckpoint | undefined;
  private pipeline: EventPipeline | undefined;
  private messages: ConsumerMessages | undefined;
  /** Settles when consumption has stopped: closed by `stop`, or failed. */
  private loop: Promise<void> | undefined;
  private saving: Promise<void> | undefined;
  /** Messages delivered and not yet processed, in stream order. */
  private readonly queue: JsMsg[] = [];
  /** The processing step that waits (a raw record's reader, a checkpoint, back-pressure); undefined while none does. */
  private waiting: Promise<void> | undefined;
  private burstEnd: NodeJS.Immediate | undefined;
  private stopping = false;
  /** The last stream sequence processed, and whether the state moved since the checkpoint. */
  private seq = 0;
  private unsaved = 0;
  private savedAt = Date.now();
  /** The last message processed and not yet acknowledged, and how many are behind it. */
  private unacked: JsMsg | undefined;
  private unackedCount = 0;
  /** Publishes (alerts, dead letters) of the messages not yet acknowledged, and how many of all are unconfirmed. */
  private storing: Array<Promise<void>> = [];
  private outstanding = 0;
  /** Settles when every acknowledgement sent so far has been sent; rejects with the first publish that failed. */
  private stored: Promise<void> = Promise.resolve();
  private readonly found: Alert[] = [];
  /** Why consumption stopped on its own (a refused checkpoint, a store that did not answer): the worker lets the partition go. */
  failed: Error | undefined;

  constructor(private readonly s: PartitionSettings, readonly partition: number) {}

  /** This owner's own consumer of the partition (consumers.ts): made at start, never shared. */
  private consumerName = '';

  /** Claims the checkpoint, restores its state and starts consuming after its sequence. */
  async start(): Promise<void> {
    const { s } = this;
    this.checkpoint = await s.checkpoints.claim(this.partition, s.owner);
    this.pipeline = new EventPipeline(s.packs, s.spec);
    if (this.checkpoint.damaged) s.log(`partition ${this.partition}: checkpoint unusable, resuming without its state: ${this.checkpoint.damaged}`);
    if (this.checkpoint.state) this.pipeline.restore(this.checkpoint.state);
    const position = this.checkpoint.position;
    this.seq = position.seq;
    // The consumers earlier owners made are deleted: one starts where its acknowledgements stopped,
    // not at the checkpoint, and a worker that lost the partition without knowing yet (paused, cut
    // off) would go on pulling from it. This owner's is its own, so that such a worker, woken, can
    // never take messages from it: the two would split the partition, each pipeline missing the
    // process starts the other read.
    const earlier = (await consumersByPartition(s.jsm, s.names)).get(this.partition) ?? [];
    for (const { name } of earlier) await s.jsm.consumers.delete(s.names.events, name).catch(() => false);
    this.consumerName = s.names.consumer(this.partition, randomBytes(4).toString('hex'));
    const start = position.seq > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: position.seq + 1 }
      : position.startTime !== undefined ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: position.startTime } : { deliver_policy: DeliverPolicy.All };
    await s.jsm.consumers.add(s.names.events, {
      durable_name: this.consumerName,
      filter_subject: s.names.eventSubject(this.partition),
      ack_policy: AckPolicy.All,
      max_ack_pending: s.inFlight,
      ack_wait: nanos(60_000),
      // Removed by the server if its worker died and nobody took the partition over.
      inactive_threshold: nanos(60 * 60_000),
      ...start,
    });
    const consumer = await s.js.consumers.get(s.names.events, this.consumerName);
    // Messages come to a callback as the client parses them, every message of a socket read in one
    // synchronous run: their alerts leave in one write, and one acknowledgement covers them all.
    // The client pulls again once half the window is delivered, a pull of half the window.
    // Once a new owner has deleted this consumer, stop (by default the client waits for it to come back).
    this.messages = await consumer.consume({
      max_messages: s.inFlight,
      threshold_messages: Math.floor(s.inFlight / 2),
      abort_on_missing_resource: true,
      callback: (msg) => this.receive(msg),
    });
    s.log(`partition ${this.partition}: taken, resuming after sequence ${position.seq}${position.startTime ? ` from ${position.startTime}` : ''}${this.checkpoint.state ? ' with its checkpointed state' : ''}`);
    this.loop = this.messages.closed().then((err) => {
      if (err) throw err;
      if (!this.stopping && !this.failed) throw new Error('the consumer stopped delivering');
    }).catch((err: Error) => this.fail(err));
  }

  private fail(err: Error): void {
    if (this.failed || this.stopping) return;
    this.failed = err;
    this.s.log(`partition ${this.partition}: stopped: ${err.message}`);
    void this.messages?.close().catch(() => {});
  }

  /** Called by the client for each message, in stream order. */
  private receive(msg: JsMsg): void {
    this.queue.push(msg);
    if (this.waiting === undefined) this.process();
    // Once the messages already read from the socket are processed (setImmediate runs after the
    // poll phase): one acknowledgement for all of them.
    this.burstEnd ??= setImmediate(() => {
      this.burstEnd = undefined;
      if (this.waiting === undefined && !this.stopping) this.ack();
    });
  }

  /** Processes the queued messages in order, synchronously until one step must wait, which resumes it. */
  private process(): void {
    while (this.queue.length > 0 && !this.stopping && !this.failed) {
      if (this.outstanding >= this.s.inFlight) return this.resumeAfter(this.backPressure());
      this.checkpointDue();
      const msg = this.queue.shift()!;
      // JsMsg parses its reply subject at each `seq` read: read once.
      const seq = msg.seq;
      // A redelivery of a message already processed (its acknowledgement was lost): the state has it.
      if (seq <= this.seq) continue;
      const decoded = decodeMessage({ data: msg.data, headers: msg.headers, seq, stream: this.s.names.events });
      if (decoded instanceof Promise) return this.resumeAfter(decoded.then((d) => this.handle(msg, seq, d)));
      this.handle(msg, seq, decoded);
    }
  }

  private resumeAfter(step: Promise<void>): void {
    this.waiting = step.then(
      () => {
        this.waiting = undefined;
        this.process();
        if (this.waiting === undefined && !this.stopping) this.ack();
      },
      (err: Error) => {
        this.waiting = undefined;
        this.fail(err);
      },
    );
  }

  /** No more than inFlight alerts awaiting the store's confirmation: acknowledge what is done and wait for it. */
  private backPressure(): Promise<void> {
    this.ack();
    return this.stored;
  }

  /** Starts a checkpoint when one is due; processing goes on while it is stored (save()). */
  private checkpointDue(): void {
    if (this.saving) return;
    const due = this.unsaved >= this.s.checkpointEveryEvents || (this.unsaved > 0 && Date.now() - this.savedAt >= this.s.checkpointEveryMs);
    if (due) this.save().catch((err: Error) => this.fail(err));
  }

  private handle(msg: JsMsg, seq: number, decoded: Decoded): void {
    const { s } = this;
    // Records a reader refused go to the dead letters, beside the events it read, which are detected.
    let bad = decoded.bad;
    if (decoded.events.length > 0) {
      const found = this.found;
      try {
        for (const event of decoded.events) this.pipeline!.process(event, seq, found);
        const oversized: string[] = [];
        for (const alert of found) {
          const text = s.formatter.format(alert);
          // An alert repeats its event and adds its context: one the server would refuse would
          // stop the partition at this message, at every replay. The message goes to the dead letters.
          if (Buffer.byteLength(text) > s.maxPayload - ALERT_HEADER_BYTES) oversized.push(alert.rule.title);
          else this.store(s.js.publish(s.names.alertSubject, text, { msgID: idOfAlert(alert) }), 'alerts');
        }
        if (oversized.length > 0) bad = join(bad, `alert larger than the server's max_payload (${s.maxPayload} bytes): ${oversized.join('; ')}`);
      } catch (err) {
        // One message the pipeline cannot take must not stop its partition: replayed after a
        // takeover, it would stop it again every time.
        bad = join(bad, `processing failed: ${(err as Error).message}`);
      } finally {
        found.length = 0;
      }
    }
    if (bad !== undefined) this.store(this.deadLetter(msg, seq, bad), 'deadLetters');
    this.unacked = msg;
    this.unackedCount += 1;
    s.counters.messages += 1;
    this.seq = seq;
    this.unsaved += 1;
    if (this.unackedCount >= ACK_EVERY) this.ack();
  }

  /** A publish whose confirmation the next acknowledgement waits for. */
  private store(publish: Promise<PubAck>, counter: 'alerts' | 'deadLetters'): void {
    const { counters } = this.s;
    this.outstanding += 1;
    const stored = publish.then(
      (ack) => {
        this.outstanding -= 1;
        if (ack.duplicate) counters.duplicates += 1;
        else counters[counter] += 1;
      },
      (err: Error) => {
        this.outstanding -= 1;
        throw err;
      },
    );
    stored.catch(() => {}); // handled by the acknowledgement that waits for it (ack())
    this.storing.push(stored);
  }

  /**
   * Acknowledges every message processed so far, once their alerts and dead letters are stored:
   * the acknowledgements are chained, so each waits for the publishes of every message before it.
   * A publish that fails stops the partition; nothing after it is acknowledged or checkpointed.
   */
  private ack(): void {
    const last = this.unacked;
    if (!last) return;
    const batch = this.storing;
    this.storing = [];
    this.unacked = undefined;
    this.unackedCount = 0;
    this.stored = this.stored.then(() => Promise.all(batch)).then(() => last.ack());
    this.stored.catch((err: Error) => this.fail(err));
  }

  /** The original bytes and headers, with why and where from, made to fit: never blocks the partition. */
  private deadLetter(msg: JsMsg, seq: number, reason: string): Promise<PubAck> {
    const { s } = this;
    const msgID = `dl-${s.names.events}-${seq}`;
    const letter = deadLetter(msg, { reason, stream: s.names.events, seq, partition: this.partition, msgID }, s.maxPayload);
    return s.js.publish(s.names.deadLetterSubject, letter.data, { headers: letter.headers, msgID });
  }

  /** Called every so often by the worker: an idle partition checkpoints what it processed. */
  tick(): void {
    if (this.waiting === undefined && !this.saving && this.unsaved > 0 && Date.now() - this.savedAt >= this.s.checkpointEveryMs) void this.save().catch(() => {});
  }

  /**
   * Checkpoints the state as of the last message processed, once everything up to it is stored.
   * The state is serialized at once, before the first wait: the messages after it are processed
   * meanwhile (the state they change is not the one being saved), and their acknowledgements
   * queue behind this one's.
   */
  private save(): Promise<void> {
    this.saving ??= (async () => {
      try {
        const seq = this.seq;
        const unsaved = this.unsaved;
        const state = JSON.stringify(this.pipeline!.snapshot());
        this.ack();
        await this.stored;
        await this.checkpoint!.save(seq, state);
        this.unsaved -= unsaved;
        this.savedAt = Date.now();
      } catch (err) {
        this.s.log(`partition ${this.partition}: checkpoint failed: ${(err as Error).message}`);
        throw err;
      } finally {
        this.saving = undefined;
      }
    })();
    return this.saving;
  }

  /**
   * Stops consuming after the message in hand. With `checkpoint`, saves the state first (a
   * release or a drain); without, the partition was lost and whatever this worker holds is stale.
   */
  async stop(checkpoint: boolean): Promise<void> {
    this.stopping = true;
    await this.messages?.close().catch(() => {});
    await this.loop;
    await this.waiting;
    if (this.saving) await this.saving.catch(() => {});
    if (checkpoint && !this.failed && this.unsaved > 0) await this.save();
  }
}
