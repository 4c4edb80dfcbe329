import * as fs from 'node:fs';

/** Fields of /proc/PID/stat after the command name: [0] state, [1] ppid, [11] utime, [12] stime. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Processes whose parent is `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => Number(statFields(Number(d))?.[1]) === pid)
    .map(Number);
}

/** The child of `pid` running the inference worker script, if there is one yet. */
export function inferenceWorkerOf(pid: number): number | undefined {
  return childPids(pid).find((c) => {
    try {
      return /worker\.js|inferenceWorker\.js/.test(fs.readFileSync(`/proc/${c}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/** CPU seconds a process has used (user + system), or undefined once it is gone. */
function cpuSeconds(pid: number): number | undefined {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / 100 : undefined;
}

/** Gone, or a zombie nobody has reaped yet (it runs no code any more). */
export function isDead(pid: number): boolean {
  const f = statFields(pid);
  return !f || f[0] === 'Z' || f[0] === 'X';
}

/** Polls `probe` every 20 ms until it returns a value; throws after `timeoutMs`. */
export async function pollUntil<T>(what: string, probe: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits until `worker` has burnt `seconds` of CPU: past node start and model load, so it is inside
 * onnxruntime's run (the hanging model) when the test strikes.
 */
export function busyFor(worker: number, seconds: number): Promise<number> {
  return pollUntil(
    `worker ${worker} busy in onnxruntime`,
    () => {
      const cpu = cpuSeconds(worker);
      if (cpu === undefined) throw new Error(`worker ${worker} exited before it got busy`);
      return cpu >= seconds && cpu;
    },
    30_000,
  );
}

/** Kills `pid` if it still runs (test cleanup, so a failing test leaves no spinning orphan). */
export function killIfAlive(pid: number | undefined): void {
  if (pid === undefined || isDead(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
