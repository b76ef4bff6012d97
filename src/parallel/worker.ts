import { parentPort, workerData } from 'node:worker_threads';
import { packsFromSnapshot, PrecompiledRules } from '../alerts/pack-snapshot.js';
import { keepAutomataIn } from '../sigma/automaton-cache.js';
import { joinAutomatonExchange } from '../sigma/automaton-exchange.js';
import { parseClaimedFiles } from './rule-share.js';
import type { LoadMessage, MainMessage, WorkerMessage, WorkerSetup } from './protocol.js';
import { TaskScanner } from './scanner.js';

const setup = workerData as WorkerSetup;
const port = parentPort!;
// Now, not with the scanner: the main thread builds automata as soon as it scans, and tables
// posted before a thread joins never reach it.
joinAutomatonExchange(setup.automata);
keepAutomataIn(setup.ruleCache);
/** Until the packs come: then dropped, with what no pack took (the rules of a pack whose pack.yml failed). */
let precompiled: PrecompiledRules | undefined = new PrecompiledRules();
let scanner: TaskScanner | undefined;
port.on('message', (message: MainMessage | LoadMessage) => {
  if (scanner) return scanner.receive(message as MainMessage);
  const load = message as LoadMessage;
  if (load.type === 'rules') return precompiled!.add(load.rules);
  // The main thread sends the rules of the files this thread parses too, with their anchors.
  if (load.type === 'parse') return parseClaimedFiles(load, (reply: WorkerMessage) => port.postMessage(reply));
  const packs = packsFromSnapshot(load.packs, precompiled);
  precompiled = undefined;
  scanner = new TaskScanner(packs, { ...setup, order: load.order }, (reply: WorkerMessage, transfer) => port.postMessage(reply, transfer));
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
});
