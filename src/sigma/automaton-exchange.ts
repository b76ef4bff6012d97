/**
 * Needle automata (needle-index.ts) built once per scan, not once per scanning thread. Every
 * scanning thread needs the same automata, from the same rules, at its first event of each
 * logsource, and the threads meet their first events together: each built the same automata
 * on cores both threads needed, plus the optimizing compiler's jobs for the build code, in each
 * isolate (docs/performance.md#needle-automata-and-their-exchange).
 *
 * So the first thread to need an automaton claims it and builds it, and posts its tables to the
 * others; a thread that needs an automaton claimed elsewhere waits for its tables (it would be
 * busy as long building them). Claims are words of a SharedArrayBuffer (a hash of the key, set
 * with compare-and-swap, open addressing); tables go out on a BroadcastChannel and are received
 * synchronously, since a build happens in the middle of detecting an event. A thread never
 * waits while it holds a claim it has not published (a build waits for nothing), so threads
 * cannot wait on each other in a circle; a wait that times out (the builder died) builds.
 *
 * The key is everything an automaton is built from (the field, and its needles with their ids),
 * and a thread takes a table only under its own key: tables are exactly those it would build.
 *
 * A BroadcastChannel delivers only to the channels open when a message is posted, so every
 * thread joins before the scan starts: the pool's thread when it starts the workers, a worker
 * as it starts (joined with its scanner instead, a worker missed every table the main thread
 * built in its first task, and built them all again). A thread that finds a table posted and
 * not received (a tiny rule set loaded before a worker's isolate was up) builds it itself.
 */
import { BroadcastChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { storedOrBuilt } from './automaton-cache.js';
import type { AutomatonTables } from './needle-index.js';

/** What the threads of one scan share: made by `newAutomatonExchange`, passed to every scanning thread. */
export interface AutomatonExchangeShare {
  /** Per slot: the claimed key's hash (never 0), then whether its tables were posted. */
  words: SharedArrayBuffer;
  channel: string;
}

/** Keys a scan's threads can claim (fields × logsources × packs); past this they build on their own. */
const SLOTS = 1024;
/** How long a thread waits for tables claimed elsewhere before it builds them itself. */
const WAIT_MS = 10_000;

let joined: { hashes: Int32Array; posted: Int32Array; channel: BroadcastChannel } | undefined;
/** Tables posted by other threads that this thread has not needed yet. */
const received = new Map<string, AutomatonTables>();

interface PostedTables {
  key: string;
  tables: AutomatonTables;
}

function keep({ key, tables }: PostedTables): void {
  received.set(key, tables);
}

let scans = 0;

export function newAutomatonExchange(): AutomatonExchangeShare {
  scans += 1;
  // A BroadcastChannel reaches the threads of this process only: the scan's number names it.
  return { words: new SharedArrayBuffer(2 * SLOTS * 4), channel: `supplywatch-automata-${scans}` };
}

/** This thread builds automata with the other threads of `share` (until another join): before any of them scans. */
export function joinAutomatonExchange(share: AutomatonExchangeShare): void {
  leaveAutomatonExchange();
  const channel = new BroadcastChannel(share.channel);
  // Tables that arrive while this thread's event loop turns are dispatched as events, and
  // dropped without a listener (a worker missed every table posted between its batches); those
  // that arrive while it scans stay queued for takeReceived.
  channel.onmessage = (event) => keep(event.data as PostedTables);
  // The channel must not keep the thread alive.
  channel.unref();
  joined = { hashes: new Int32Array(share.words, 0, SLOTS), posted: new Int32Array(share.words, SLOTS * 4, SLOTS), channel };
}

/** Back to building every automaton on this thread (the scan that joined is over). */
export function leaveAutomatonExchange(): void {
  joined?.channel.close();
  joined = undefined;
  received.clear();
}

/**
 * Tables this thread already has, by key: two logsource buckets with the same needles for a
 * field (Sysmon's and Security's process_creation) hold one automaton, read or built once.
 */
const had = new Map<string, AutomatonTables>();

/**
 * The tables of the automaton of `field`'s needles (`ids` into `needles`): built by `build`,
 * here or by another thread of the scan.
 */
export function automatonTables(field: string, ids: readonly number[], needles: readonly { text: string }[], build: () => AutomatonTables): AutomatonTables {
  const key = automatonKey(field, ids, needles);
  let tables = had.get(key);
  if (tables === undefined) had.set(key, (tables = exchanged(key, build)));
  return tables;
}

function exchanged(key: string, build: () => AutomatonTables): AutomatonTables {
  // Read back from the automaton cache, or built (and kept there).
  const make = () => storedOrBuilt(key, build);
  if (!joined) return make();
  const { hashes, posted, channel } = joined;
  const hash = keyHash(key);
  for (let probe = 0, slot = hash & (SLOTS - 1); probe < SLOTS; probe++, slot = (slot + 1) & (SLOTS - 1)) {
    const held = Atomics.compareExchange(hashes, slot, 0, hash);
    if (held === 0) {
      try {
        const tables = inSharedMemory(make());
        channel.postMessage({ key, tables } satisfies PostedTables);
        return tables;
      } finally {
        // Also when the build throws: the threads waiting for it then build (and fail) themselves, now.
        Atomics.store(posted, slot, 1);
        Atomics.notify(posted, slot);
      }
    }
    if (held !== hash) continue;
    if (Atomics.wait(posted, slot, 0, WAIT_MS) === 'timed-out') break;
    return takeReceived(key) ?? make();
  }
  return make();
}

/**
 * The tables with their arrays moved to shared memory: posted, they reach the other threads
 * without being copied (copies cost both the builder and the receiver time in their first
 * task), and the threads scan one copy.
 */
function inSharedMemory(tables: AutomatonTables): AutomatonTables {
  return { ...tables, classes: shared(tables.classes), delta: shared(tables.delta), fail: shared(tables.fail), starts: shared(tables.starts), ids: shared(tables.ids) };
}

function shared<T extends Uint8Array | Uint16Array | Int32Array>(array: T): T {
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

function automatonKey(field: string, ids: readonly number[], needles: readonly { text: string }[]): string {
  let key = field;
  for (const id of ids) key += `\0${id}\0${needles[id]!.text}`;
  return key;
}

/** Tables another thread posted under `key`, if any (this thread's own posts never come back). */
function takeReceived(key: string): AutomatonTables | undefined {
  if (!joined) return undefined;
  // Node takes a BroadcastChannel here too (worker_threads docs); @types/node 20 lists only MessagePort.
  const port = joined.channel as unknown as MessagePort;
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) keep(m.message as PostedTables);
  const tables = received.get(key);
  received.delete(key);
  return tables;
}

/** FNV-1a over the key's UTF-16 code units, never 0 (0 marks a free slot). */
function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 1;
}
