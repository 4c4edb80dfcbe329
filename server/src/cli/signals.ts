/** Signals that end a CLI run: Ctrl-C, a kill, a closed terminal. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * While a run is in flight, a stop signal first calls `stop` (which kills the inference worker at once)
 * and then ends this process by the same signal, so the shell still sees how it ended. Returns the
 * function that removes the handlers when the run is over.
 */
export function stopOnSignals(stop: () => void): () => void {
  const remove = (): void => {
    for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
  };
  function onSignal(signal: NodeJS.Signals): void {
    remove();
    stop();
    process.kill(process.pid, signal);
  }
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  return remove;
}
