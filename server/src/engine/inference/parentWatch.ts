import { Worker } from 'node:worker_threads';

/** How often the watch looks at the parent: well inside the 2 s an orphan may live. */
const WATCH_MS = 100;

/**
 * Kills this process as soon as `parentPid` is no longer its parent (the parent exited, crashed or was
 * SIGKILLed, and the process was re-parented). The check runs on its own thread because onnxruntime's
 * `run` blocks the main thread for as long as a model computes, so an IPC 'disconnect' handler alone
 * never fires while a hanging model spins. SIGKILL, not exit(): exit would wait for that blocked thread.
 */
export function dieWithParent(parentPid: number): void {
  const code = `const p = ${JSON.stringify(parentPid)};
const check = () => { if (process.ppid !== p) process.kill(process.pid, 'SIGKILL'); };
check();
setInterval(check, ${WATCH_MS});`;
  const watch = new Worker(code, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 8 } });
  watch.unref();
}
