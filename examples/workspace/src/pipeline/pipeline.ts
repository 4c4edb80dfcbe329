/** One named step: takes the previous stage's output, returns (or resolves to) its own. */
export interface Stage {
  name: string;
  run: (input: unknown) => unknown;
}

/**
 * A tiny sequential pipeline: `new Pipeline().stage("load", load).stage("clean", clean)`.
 * Stages run in registration order; each one's output feeds the next.
 */
export class Pipeline<In = unknown, Out = In> {
  private readonly stages: Stage[] = [];

  stage<Next>(name: string, fn: (input: Out) => Next | Promise<Next>): Pipeline<In, Next> {
    if (this.stages.some((s) => s.name === name)) throw new Error(`duplicate stage "${name}"`);
    this.stages.push({ name, run: fn as (input: unknown) => unknown });
    return this as unknown as Pipeline<In, Next>;
  }

  /** Names in run order, for logging. */
  get names(): string[] {
    return this.stages.map((s) => s.name);
  }

  async run(input: In): Promise<Out> {
    let value: unknown = input;
    for (const s of this.stages) {
      try {
        value = await s.run(value);
      } catch (e) {
        throw new Error(`stage "${s.name}" failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return value as Out;
  }
}
