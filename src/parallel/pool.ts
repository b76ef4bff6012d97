import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Pack } from '../alerts/pack.js';
import { ruleSource, snapshotPacks } from '../alerts/pack-snapshot.js';
import type { LoadHooks } from '../sigma/index.js';
import type { ScanTask } from './plan.js';
import { HELD_BYTES_LIMIT, type AlertBlock } from './alert-block.js';
import type { LoadMessage, MainMessage, ScanSetup, TaskResult, WorkerMessage, WorkerSetup } from './protocol.js';
import { TaskScanner } from './scanner.js';
import type { LineBases } from './line-bases.js';
import { RuleShare } from './rule-share.js';
import { joinAutomatonExchange, leaveAutomatonExchange, newAutomatonExchange } from '../sigma/automaton-exchange.js';
import { StateRelay } from './state-relay.js';

const WORKER_FILE = new URL('./worker.js', import.meta.url);
const PARSE_HELPER_FILE = new URL('./parse-helper.js', import.meta.url);
/**
 * A worker's events die young (one 128-event batch at a time, see ndjson.ts), so a young
 * generation below V8's default (48 MB) bounds each worker's heap at a small cost in extra
 * scavenges; smaller ones cost more CPU than they save memory
 * (docs/performance.md#worker-young-generation-size).
 */
const WORKER_YOUNG_GENERATION_MB = 32;

/** What the pool needs of a scanner: a worker thread, or the main thread's own (mainThreadScanner). */
export interface ScannerPort {
  postMessage(message: MainMessage, transfer?: ArrayBuffer[]): void;
  on(event: 'message', listener: (message: WorkerMessage) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** A started scanner and the promise of its `ready` (its packs compiled). */
export interface PoolWorker {
  worker: ScannerPort;
  ready: Promise<void>;
}

/**
 * The main thread scans tasks beside the workers: with `--threads 2` on two cores, one worker
 * and the main thread, rather than two workers and a main thread that mostly waits. That is
 * one isolate less compiling the rules, warming up its code and collecting its garbage, and
 * the main thread starts on the first task while the worker compiles. It uses the packs and
 * tuning already loaded. Its messages reach the pool synchronously, in the order sent.
 */
export function mainThreadScanner(packs: Pack[], setup: ScanSetup): PoolWorker {
  const events = new EventEmitter();
  const scanner = new TaskScanner(packs, setup, (message) => events.emit('message', message));
  return { worker: { postMessage: (message) => scanner.receive(message), on: (event, listener) => events.on(event, listener) }, ready: Promise.resolve() };
}

/** Started workers, before and after the main thread has loaded the rules. */
export interface StartedWorkers {
  workers: Array<PoolWorker & { worker: Worker }>;
  /** For loadRules: the workers parse some of the files, and take every file's rules meanwhile. */
  loadHooks: LoadHooks;
  /** The loaded packs: each worker builds its scanner (from the rules it took) and answers `ready`. */
  start(packs: readonly Pack[], order: ScanSetup['order']): void;
  /** Must be called whatever happens next. */
  close(): Promise<void>;
}

/**
 * Starts `count` workers at once, before the main thread loads the rules: each starts its
 * isolate and imports its modules while the main thread reads the first rule files, then
 * parses files beside it (rule-share.ts) and takes each file's rules as the main thread
 * compiles them, with their prefilter anchors (no rule file is read or parsed twice, and a
 * worker parses a detection only when its rule is first tested). Started after the load
 * instead, a worker was ready well after it, the main thread scanning alone meanwhile.
 * Both cores are busy during the load then, so the early start gains only with the optimizer
 * paused (runtime/optimizer-pause.ts) (docs/performance.md#workers-start-before-the-rule-load).
 */
export function startWorkers(count: number, setup: Omit<WorkerSetup, 'automata'>): StartedWorkers {
  const post = (message: LoadMessage) => {
    for (const { worker } of workers) worker.postMessage(message);
  };
  const share = new RuleShare(post);
  const automata = newAutomatonExchange();
  // This thread scans beside the workers (mainThreadScanner); each worker joins as it starts.
  joinAutomatonExchange(automata);
  const workers = Array.from({ length: count }, (_, index) => {
    const worker = new Worker(WORKER_FILE, { workerData: { ...setup, automata }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', function first(message: WorkerMessage) {
        if (message.type === 'parsed') return share.answer(index, message);
        worker.off('message', first);
        if (message.type === 'ready') resolve();
        else reject(new Error(message.type === 'error' ? `worker: ${message.message}` : `worker sent '${message.type}' before 'ready'`));
      });
    });
    // Observed by runTasks; a scan that stops before running tasks must not report it as unhandled.
    ready.catch(() => share.workerFailed());
    worker.once('exit', () => share.workerFailed());
    return { worker, ready };
  });
  return {
    workers,
    loadHooks: {
      share: (files) => share.share(files),
      // To every worker, the one that parsed the file too: it did not compile them (the rules carry their anchors).
      onFile: (rules) => post({ type: 'rules', rules: rules.map(ruleSource) }),
    },
    start: (packs, order) => post({ type: 'packs', packs: snapshotPacks(packs), order }),
    close: async () => {
      leaveAutomatonExchange();
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}

/**
 * A load with fewer rule files than this parses them alone: a helper needs its isolate and the
 * rule modules before it sends its first file, about as long as this thread takes for that
 * many files (docs/performance.md#parse-helper).
 */
export const PARSE_HELPER_MIN_FILES = 256;

export interface ParseHelper {
  loadHooks: LoadHooks;
  /** Files the helper parsed (and sent) so far. */
  parsed(): number;
  /** Stops the helper: once the load is done, whatever happened. */
  close(): Promise<void>;
}

/**
 * For a scan on one thread (an input too small to split) while another core is idle: a worker
 * that parses some of a large load's rule files (rule-share.ts), started at the first load of
 * at least PARSE_HELPER_MIN_FILES files (`onStart` is told) and stopped once the load is done.
 * The main thread still compiles every rule, in order, so the load's result is the same.
 */
export function startParseHelper(onStart: () => void = () => {}): ParseHelper {
  let helper: Worker | undefined;
  let parsed = 0;
  const share = new RuleShare((message) => helper?.postMessage(message));
  return {
    loadHooks: {
      share: (files) => {
        if (!helper && files.length >= PARSE_HELPER_MIN_FILES) {
          onStart();
          helper = new Worker(PARSE_HELPER_FILE);
          helper.on('message', (message: WorkerMessage) => {
            if (message.type !== 'parsed') return;
            parsed += 1;
            share.answer(0, message);
          });
          helper.once('error', () => share.workerFailed());
          helper.once('exit', () => share.workerFailed());
        }
        return share.share(files);
      },
    },
    parsed: () => parsed,
    close: async () => void (await helper?.terminate()),
  };
}

/** Tasks a scanner is sent ahead, while many remain: its running one and the next (see runTasks). */
export const TASKS_QUEUED = 2;

/** What the pool hands over, strictly in task order: each task's blocks, then its result. */
export interface Delivery {
  /** True when the block's bytes are written and no longer referenced: its buffer goes back to its scanner. */
  block(block: AlertBlock): boolean;
  result(result: TaskResult): void;
}

/**
 * Runs tasks on the started scanners, each pulling the next task when done (so uneven tasks
 * balance), and hands blocks and results over strictly in task order: the output is the same,
 * byte for byte, whatever the number of threads. The task being delivered streams through;
 * only tasks that run ahead of it wait, and those hold alert bytes (up to about
 * `heldLimit`), never events.
 */
export async function runTasks(tasks: ScanTask[], workers: PoolWorker[], lineBases: LineBases, deliver: Delivery, heldLimit = HELD_BYTES_LIMIT): Promise<void> {
  /** Blocks (with the scanner that sent them) and results of tasks after the one being delivered, by task. */
  const waiting = new Map<number, Array<{ block: AlertBlock; from: ScannerPort } | TaskResult>>();
  const deliverBlock = (block: AlertBlock, from: ScannerPort) => {
    if (deliver.block(block) && block.bytes.byteLength > 0) {
      const buffer = block.bytes.buffer as ArrayBuffer;
      from.postMessage({ type: 'spare', buffer }, [buffer]);
    }
  };
  let nextTask = 0;
  let delivering = 0;
  /** Bytes of the blocks in `waiting`. */
  let held = 0;
  /** Per scanner: send it tasks up to its queue depth, unless too many bytes are held. */
  const feeders: Array<() => void> = [];
  const relay = new StateRelay();
  await new Promise<void>((resolve, reject) => {
    if (tasks.length === 0) return resolve();
    const finished = (result: TaskResult) => {
      deliver.result(result);
      delivering += 1;
      const queued = waiting.get(delivering) ?? [];
      waiting.delete(delivering);
      for (const item of queued) {
        if (!('block' in item)) return finished(item);
        held -= item.block.bytes.byteLength;
        deliverBlock(item.block, item.from);
      }
      if (delivering === tasks.length) resolve();
    };
    for (const { worker, ready } of workers) {
      relay.register(worker);
      /** Tasks sent to this scanner and not yet ended. */
      let sent = 0;
      const feed = () => {
        // A second task queued behind the running one: a worker's result waits for the main
        // thread to finish the batch it is scanning, and the worker would wait as long for its
        // next task. Not near the end, where a queued task could leave another scanner idle
        // (docs/performance.md#task-dispatch).
        const depth = tasks.length - nextTask > TASKS_QUEUED * workers.length ? TASKS_QUEUED : 1;
        while (sent < depth && nextTask < tasks.length && held <= heldLimit) {
          const task = tasks[nextTask++]!;
          sent += 1;
          const known = lineBases.known(task);
          if (known !== undefined) worker.postMessage({ ...task, lineBase: known });
          else lineBases.baseFor(task).then((lineBase) => worker.postMessage({ ...task, lineBase }), reject);
        }
      };
      feeders.push(feed);
      const later = (task: number, item: { block: AlertBlock; from: ScannerPort } | TaskResult) => {
        if ('block' in item) held += item.block.bytes.byteLength;
        const queued = waiting.get(task);
        if (queued) queued.push(item);
        else waiting.set(task, [item]);
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'error') return reject(new Error(`worker: ${message.message}`));
        if (message.type === 'records') return relay.offer(message.task, message.records, worker);
        if (message.type === 'block') {
          if (message.block.task === delivering) deliverBlock(message.block, worker);
          else later(message.block.task, { block: message.block, from: worker });
          return;
        }
        if (message.type !== 'result') return;
        // The next task first, then the delivery: writing a task's alerts takes the main thread
        // milliseconds, and the worker would wait them out idle
        // (docs/performance.md#task-dispatch).
        sent -= 1;
        feed();
        if (message.result.task.id === delivering) {
          finished(message.result);
          // Delivered bytes may let the scanners that ran ahead take tasks again.
          for (const other of feeders) other();
        } else later(message.result.task.id, message.result);
      });
      worker.on('error', reject);
      // Tasks go out at once, behind the packs: a worker's `ready` came while the main thread
      // built its own automata for its first batch, and the worker, ready meanwhile, waited
      // that long for a task (docs/performance.md#task-dispatch).
      ready.catch(reject);
      feed();
    }
  });
}
