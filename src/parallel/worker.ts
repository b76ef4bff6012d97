import { parentPort, workerData } from 'node:worker_threads';
import { packsFromSnapshot } from '../alerts/pack-snapshot.js';
import { loadTuning } from '../config/index.js';
import type { MainMessage, WorkerMessage, WorkerSetup } from './protocol.js';
import { TaskScanner } from './scanner.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;
// The main thread already validated the config and reported its warnings.
const scanner = new TaskScanner(packsFromSnapshot(setup.packs), loadTuning(setup.config, setup.now, () => true), setup, (message: WorkerMessage, transfer) =>
  port.postMessage(message, transfer),
);
port.on('message', (message: MainMessage) => scanner.receive(message));
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
