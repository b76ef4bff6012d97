/**
 * The workers parse some of the rule files while the main thread loads the others. Every
 * thread compiles every rule (compiled matchers cannot cross threads), but a file's YAML needs
 * parsing only once: its documents cross as plain data. Otherwise the main thread parses every
 * file while the workers, done compiling what they were sent, wait for the packs
 * (docs/performance.md#rule-share-workers-parse-rule-files-during-the-load).
 *
 * The threads claim files through one shared word, so they balance themselves: the main
 * thread takes them from the front, in order, and the workers from the back, until they meet.
 * (Workers that took the next unclaimed file kept taking the very file the main thread was
 * about to need, and it waited for them: the load took as long as before.) The main thread
 * then compiles the rest from the documents the workers sent, still in order, so the load's
 * result and its problems are those of a load on one thread.
 */
import { readFileSync } from 'node:fs';
import type { FileShare, PlainRuleDocument } from '../sigma/index.js';
import { readPlainRules, ruleFileDigest } from '../sigma/index.js';
import { textOf } from '../sources/utf16.js';
import type { LoadMessage, WorkerMessage } from './protocol.js';

type Parsed = { documents: PlainRuleDocument[] | undefined; by: number; digest?: string } | undefined;

/**
 * The shared word: the next file from the front in the low 32 bits, one past the last
 * unclaimed file in the high 32 bits. Returns the file claimed, or undefined when none is left.
 */
function claim(word: BigInt64Array, fromBack: boolean): number | undefined {
  for (;;) {
    const now = Atomics.load(word, 0);
    const front = Number(now & 0xffffffffn);
    const back = Number(now >> 32n);
    if (front >= back) return undefined;
    const next = fromBack ? BigInt(front) | (BigInt(back - 1) << 32n) : BigInt(front + 1) | (BigInt(back) << 32n);
    if (Atomics.compareExchange(word, 0, now, next) === now) return fromBack ? back - 1 : front;
  }
}

/** The main thread's side: offers each load's files to the workers and collects what they parsed. */
export class RuleShare {
  private batches = 0;
  /** Answers not yet taken, and takes still waiting for their answer, by `batch:index`. */
  private readonly answers = new Map<string, Parsed>();
  private readonly waiting = new Map<string, (parsed: Parsed) => void>();
  /** A worker failed: what it claimed never comes, and the main thread parses it (the scan fails later, on `ready`). */
  private broken = false;

  constructor(private readonly post: (message: LoadMessage) => void) {}

  /** A worker's answer (a `parsed` message). */
  answer(by: number, message: Extract<WorkerMessage, { type: 'parsed' }>): void {
    const key = `${message.batch}:${message.index}`;
    const parsed = { documents: message.documents, by, digest: message.digest };
    const waiter = this.waiting.get(key);
    if (waiter) {
      this.waiting.delete(key);
      waiter(parsed);
    } else if (!this.broken) this.answers.set(key, parsed);
  }

  workerFailed(): void {
    this.broken = true;
    for (const waiter of this.waiting.values()) waiter(undefined);
    this.waiting.clear();
    this.answers.clear();
  }

  /** One load's files (loadRules' `share` hook). */
  share(files: readonly string[]): FileShare {
    const batch = this.batches++;
    const buffer = new SharedArrayBuffer(8);
    const word = new BigInt64Array(buffer);
    word[0] = BigInt(files.length) << 32n;
    if (!this.broken) this.post({ type: 'parse', batch, files, claims: buffer });
    return {
      take: async (index) => {
        // Files are taken in order from the front: this one, unless the workers' claims reached it.
        if (claim(word, false) === index || this.broken) return undefined;
        const key = `${batch}:${index}`;
        const parsed = this.answers.get(key);
        if (parsed) {
          this.answers.delete(key);
          return parsed;
        }
        return new Promise<Parsed>((resolve) => this.waiting.set(key, resolve));
      },
    };
  }
}

/**
 * A worker's side: claims files of the load from the back until none is left, sends each one's
 * documents (undefined when it needs the main thread's reference path: a problem to report,
 * special YAML, an unreadable file) and the digest of its bytes (for the rule cache) to the main
 * thread, which compiles them and sends the rules back. The main thread's own files (`rules`
 * messages) wait until this ends: let in between, they came hundreds at a time, and the worker
 * parsed only a small share of the files while the main thread, parsing the rest, finished last.
 */
export function parseClaimedFiles(message: Extract<LoadMessage, { type: 'parse' }>, send: (message: WorkerMessage) => void): void {
  const word = new BigInt64Array(message.claims);
  for (let index = claim(word, true); index !== undefined; index = claim(word, true)) {
    const file = message.files[index]!;
    let documents: PlainRuleDocument[] | undefined;
    let digest: string | undefined;
    try {
      const bytes = readFileSync(file);
      // The bytes parsed, not those the main thread read before: the file may have changed since.
      digest = ruleFileDigest(bytes);
      documents = readPlainRules(textOf(bytes));
    } catch {
      documents = undefined; // the main thread reports it
    }
    send({ type: 'parsed', batch: message.batch, index, documents, digest });
  }
}
