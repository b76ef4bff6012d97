import { randomUUID } from 'node:crypto';
import type { OutputSink, SinkReport } from './sink.js';

export interface HecOptions {
  /** …/services/collector/event */
  url: string;
  token: string;
  /** Indexer acknowledgement: poll /services/collector/ack until Splunk says each batch is indexed. */
  ack: boolean;
  maxQueuedBytes?: number;
  closeWaitMs?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  ackPollMs?: number;
}

/** Events per request and bytes per request: HEC's default max_content_length is 800 MB, but small batches retry cheaply. */
const BATCH_EVENTS = 500;
const BATCH_BYTES = 512 * 1024;

/**
 * Sends alerts to a Splunk HTTP Event Collector: lines of `hec` events (hec.ts) batched into
 * requests (objects back to back, as HEC reads them), one request at a time so events arrive
 * in order, `Authorization: Splunk TOKEN` and a channel of our own (X-Splunk-Request-Channel).
 * A request that fails for want of the server (network error, 429, 5xx: "server busy") is
 * retried with back-off; one refused for its content (other 4xx) is counted and skipped. With
 * acknowledgement, each accepted request's ackId is polled on /services/collector/ack until
 * indexed. Events beyond the queue's bound, and what is not sent or acknowledged when the
 * scan's short wait ends, are counted for the summary.
 */
export class HecSink implements OutputSink {
  private queue: string[] = [];
  private head = 0;
  private queuedBytes = 0;
  private partial = '';
  private inFlight = 0;
  private dropped = 0;
  private refused = 0;
  private abandoned = 0;
  private readonly pendingAcks = new Map<number, number>();
  private readonly channel = randomUUID();
  private readonly abort = new AbortController();
  private draining = false;
  private polling = false;
  private stopped = false;
  private lastError = '';
  private settled: (() => void) | undefined;
  /** Wakes every sleeper (the sender's back-off, the ack poll) when the scan's wait ends. */
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly options: HecOptions) {}

  write(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    const max = this.options.maxQueuedBytes ?? 8 * 1024 * 1024;
    for (const line of lines) {
      if (this.queuedBytes + line.length > max) {
        this.dropped += 1;
        continue;
      }
      this.queue.push(line);
      this.queuedBytes += line.length;
    }
  }

  /** The end of a batch of alerts: send what came (a request waits for a batch, not an alert). */
  flush(): void {
    void this.drain();
  }

  close(): Promise<SinkReport> {
    void this.drain();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(deadline);
        this.stopped = true;
        this.abort.abort();
        for (const wake of this.sleepers) wake();
        const unacked = [...this.pendingAcks.values()].reduce((a, b) => a + b, 0);
        const undelivered = this.dropped + this.refused + this.abandoned + this.inFlight + (this.queue.length - this.head) + unacked;
        let reason = this.lastError || 'receiver did not take them in time';
        if (this.dropped > 0) reason = `receiver too slow or down: queue full; ${reason}`;
        else if (unacked > 0 && !this.lastError) reason = `${unacked} not acknowledged as indexed in time`;
        resolve(undelivered > 0 ? { undelivered, reason } : { undelivered: 0 });
      };
      const deadline = setTimeout(finish, this.options.closeWaitMs ?? 10_000);
      this.settled = () => {
        if (!this.draining && this.queue.length === this.head && this.pendingAcks.size === 0) finish();
      };
      this.settled();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    while (!this.stopped && this.queue.length > this.head) {
      const batch = this.takeBatch();
      this.inFlight = batch.length;
      const sent = await this.post(batch);
      this.inFlight = 0;
      if (sent === 'stopped') this.abandoned += batch.length;
    }
    this.draining = false;
    this.settled?.();
  }

  private takeBatch(): string[] {
    const batch: string[] = [];
    let bytes = 0;
    while (this.queue.length > this.head && batch.length < BATCH_EVENTS && (batch.length === 0 || bytes + this.queue[this.head]!.length <= BATCH_BYTES)) {
      const line = this.queue[this.head++]!;
      bytes += line.length;
      this.queuedBytes -= line.length;
      batch.push(line);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    return batch;
  }

  /** Posts one batch until it is accepted, refused, or the scan's wait ends. */
  private async post(batch: string[]): Promise<'sent' | 'refused' | 'stopped'> {
    let backoff = this.options.backoffMs ?? 200;
    while (!this.stopped) {
      try {
        const response = await fetch(this.options.url, { method: 'POST', headers: this.headers(), body: batch.join('\n'), signal: this.abort.signal });
        const body = await response.text();
        if (response.ok) {
          const ackId = (JSON.parse(body || '{}') as { ackId?: unknown }).ackId;
          if (this.options.ack && typeof ackId === 'number') {
            this.pendingAcks.set(ackId, batch.length);
            void this.pollAcks();
          }
          return 'sent';
        }
        this.lastError = `HTTP ${response.status}: ${body.slice(0, 200).replace(/[^\x20-\x7e]/g, '?')}`;
        if (response.status !== 429 && response.status < 500) {
          this.refused += batch.length;
          return 'refused';
        }
      } catch (err) {
        if (this.stopped) break;
        this.lastError = describe(err);
      }
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 5000);
    }
    return 'stopped';
  }

  /** Asks which accepted batches are indexed, until none is pending. */
  private async pollAcks(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    const url = new URL(this.options.url.replace(/\/event$/, '/ack'));
    url.searchParams.set('channel', this.channel);
    while (!this.stopped && this.pendingAcks.size > 0) {
      await this.sleep(this.options.ackPollMs ?? 1000);
      if (this.stopped) break;
      try {
        const response = await fetch(url, { method: 'POST', headers: this.headers(), body: JSON.stringify({ acks: [...this.pendingAcks.keys()] }), signal: this.abort.signal });
        const acks = (JSON.parse(await response.text()) as { acks?: Record<string, boolean> }).acks ?? {};
        for (const [id, indexed] of Object.entries(acks)) if (indexed) this.pendingAcks.delete(Number(id));
      } catch (err) {
        if (!this.stopped) this.lastError = `ack: ${describe(err)}`;
      }
    }
    this.polling = false;
    this.settled?.();
  }

  private headers(): Record<string, string> {
    return { Authorization: `Splunk ${this.options.token}`, 'X-Splunk-Request-Channel': this.channel, 'Content-Type': 'application/json' };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** fetch's own message is only "fetch failed": the cause says why (ECONNREFUSED, a certificate...). */
function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }).cause;
  const why = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message;
  return why ? `${(err as Error).message}: ${why}` : (err as Error).message;
}
