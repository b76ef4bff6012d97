/**
 * Runs `undo` however the test process ends: normally ('exit') or stopped by Ctrl-C or by the
 * test runner (a signal, which skips 'exit'; the signal is raised again after `undo`). For what
 * a test changes outside its temporary folders (an address on `lo`, a folder under /var/lib).
 * Returns the function that forgets it, once the test has undone it itself.
 */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function onStop(undo: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    forget();
    undo();
    process.kill(process.pid, signal);
  };
  const forget = () => {
    process.off('exit', undo);
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  };
  process.once('exit', undo);
  for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
  return forget;
}
