/**
 * A worker that only parses rule files during the load (startParseHelper in pool.ts): the
 * scanning worker's `parse` handling without the rest, so it starts with few modules to import.
 */
import { parentPort } from 'node:worker_threads';
import type { LoadMessage, WorkerMessage } from './protocol.js';
import { parseClaimedFiles } from './rule-share.js';

const port = parentPort!;
port.on('message', (message: LoadMessage) => {
  if (message.type !== 'parse') return;
  parseClaimedFiles(message, (reply: WorkerMessage) => port.postMessage(reply));
});
