// A LIFO list of teardown steps the driver runs in `finally` and on SIGINT/SIGTERM.

/** Teardown registry; each step runs once, errors are reported but do not stop the others. */
export class Cleanup {
  private readonly steps: { name: string; fn: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;

  /** `log` receives one line per step and per failure. */
  constructor(private readonly log: (line: string) => void = (line) => console.log(line)) {}

  /** Registers a step; once teardown has started, a late step (e.g. a browser launched meanwhile) runs at once. */
  add(name: string, fn: () => Promise<void>): void {
    this.steps.push({ name, fn });
    if (this.running) void this.running.then(() => this.drain());
  }

  /** True once teardown has begun: callers should start nothing new. */
  get closed(): boolean {
    return this.running !== undefined;
  }

  /** Runs all registered steps, newest first. Concurrent callers share one run. */
  runAll(): Promise<void> {
    this.running ??= this.drain();
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.steps.length) {
      const step = this.steps.pop()!;
      this.log(`[e2e] cleanup: ${step.name}`);
      try {
        await step.fn();
      } catch (err) {
        this.log(`[e2e] cleanup "${step.name}" failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
