import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP, connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { OutputSink, SinkReport } from './sink.js';

export interface SyslogOptions {
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  /** Bytes of messages held while the receiver is down or slow; beyond, new alerts are dropped and counted. */
  maxQueuedBytes?: number;
  /** How long the end of the scan waits for the receiver before counting what is left as undelivered. */
  closeWaitMs?: number;
  /** First wait before reconnecting; it doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Sends each line (an RFC 5424 message, syslog-header.ts) to a syslog receiver: one datagram
 * per message over UDP (RFC 5426), octet-counted frames (`LEN MSG`, RFC 6587 3.4.1) over TCP
 * and TLS (RFC 5425). The scan never waits for it: messages queue up to a bound while the
 * receiver is down or slow, the connection is retried with back-off, and what was dropped or
 * still queued when the scan ends (after a short wait) is counted for the summary.
 */
export class SyslogSink implements OutputSink {
  /** Messages waiting, from `head` on (shifting a long array one by one is quadratic). */
  private queue: string[] = [];
  private head = 0;
  private ended = false;
  private queuedBytes = 0;
  private partial = '';
  private dropped = 0;
  private lost = 0;
  private inFlight = 0;
  private socket: Socket | undefined;
  private connected = false;
  private udp: UdpSocket | undefined;
  private retry: NodeJS.Timeout | undefined;
  private backoff: number;
  private lastError = '';
  private closing: (() => void) | undefined;
  private readonly maxQueuedBytes: number;

  constructor(private readonly options: SyslogOptions) {
    this.maxQueuedBytes = options.maxQueuedBytes ?? 8 * 1024 * 1024;
    this.backoff = options.backoffMs ?? 200;
    if (options.transport === 'udp') {
      this.udp = createSocket(isIP(options.host) === 6 ? 'udp6' : 'udp4');
      this.udp.on('error', (err) => (this.lastError = err.message));
    } else {
      this.connect();
    }
  }

  write(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    for (const line of lines) {
      if (this.queuedBytes + line.length > this.maxQueuedBytes) {
        this.dropped += 1;
        continue;
      }
      this.queue.push(line);
      this.queuedBytes += line.length;
    }
    this.pump();
  }

  flush(): void {
    this.pump();
  }

  close(): Promise<SinkReport> {
    this.pump();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(deadline);
        if (this.retry) clearTimeout(this.retry);
        const undelivered = this.dropped + this.lost + (this.queue.length - this.head) + this.inFlight;
        this.ended = true;
        // A clean end (TLS close_notify) when all went; else the connection is dropped.
        if (undelivered === 0) this.socket?.end();
        else this.socket?.destroy();
        this.udp?.close();
        const reason = this.dropped > 0 ? `receiver too slow or down: queue full${this.lastError ? `; ${this.lastError}` : ''}` : this.lastError || 'receiver did not take them in time';
        resolve(undelivered > 0 ? { undelivered, reason } : { undelivered: 0 });
      };
      const deadline = setTimeout(finish, this.options.closeWaitMs ?? 5000);
      this.closing = () => {
        if (this.queue.length === this.head && this.inFlight === 0) finish();
      };
      this.closing();
    });
  }

  private connect(): void {
    const { transport, host, port } = this.options;
    const socket = transport === 'tls' ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }) }) : tcpConnect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on(transport === 'tls' ? 'secureConnect' : 'connect', () => {
      this.connected = true;
      this.backoff = this.options.backoffMs ?? 200;
      this.pump();
    });
    socket.on('drain', () => this.pump());
    socket.on('error', (err) => (this.lastError = `${transport}://${host}:${port}: ${err.message}`));
    socket.on('close', () => {
      this.connected = false;
      if (this.socket !== socket || this.ended) return;
      this.socket = undefined;
      this.retry = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 5000);
    });
  }

  private pump(): void {
    if (this.udp) return this.pumpUdp();
    const socket = this.socket;
    if (!socket || !this.connected) return;
    while (this.queue.length > this.head && socket.writableLength < 64 * 1024) {
      const message = this.take();
      const frame = `${Buffer.byteLength(message)} ${message}`;
      this.inFlight += 1;
      socket.write(frame, (err) => this.sent(err));
    }
  }

  private pumpUdp(): void {
    const { host, port } = this.options;
    while (this.queue.length > this.head) {
      const message = this.take();
      this.inFlight += 1;
      this.udp!.send(message, port, host, (err) => {
        if (err) this.lastError = `udp://${host}:${port}: ${err.message}`;
        this.sent(err);
      });
    }
  }

  private take(): string {
    const message = this.queue[this.head++]!;
    this.queuedBytes -= message.length;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 4096 && 2 * this.head > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return message;
  }

  /** A message the socket took (or failed to): a failed one is lost, the connection will be retried. */
  private sent(err: Error | null | undefined): void {
    this.inFlight -= 1;
    if (err) this.lost += 1;
    else this.pump();
    this.closing?.();
  }
}
