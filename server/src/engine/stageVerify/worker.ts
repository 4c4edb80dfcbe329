/**
 * The stage worker: a child process that loads both versions of a stage, runs them on the fixtures
 * and on fast-check's generated inputs, counts the disagreements and shrinks the first generated one
 * to a minimal counterexample. The parent kills it on cancel, timeout or budget.
 */
import fc from 'fast-check';
import type { StageRunRequest, StageWorkerMessage } from './messages';
import { callArbitrary } from './generate';
import { compareOutcomes, StageSandbox, toOutcome, type RawOutcome } from './sandbox';
import type { Counterexample, StageCall } from './types';
import { formatCall } from './display';

function send(m: StageWorkerMessage): void {
  process.send?.(m);
}

async function run(req: StageRunRequest): Promise<void> {
  const started = Date.now();
  const outOfTime = (): boolean => req.budgetMs !== undefined && Date.now() - started > req.budgetMs;
  const load = (which: 'baseline' | 'candidate'): StageSandbox | undefined => {
    try {
      return new StageSandbox(req[which].code, req[which].file, req.requireFrom, req.callTimeoutMs);
    } catch (e) {
      send({ type: 'error', which, message: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  };
  const base = load('baseline');
  const cand = base && load('candidate');
  if (!base || !cand) return;

  const judge = async (call: StageCall): Promise<{ a: RawOutcome; b: RawOutcome; diff?: string }> => {
    const a = await base.call(call, req.callTimeoutMs);
    const b = await cand.call(call, req.callTimeoutMs);
    const d = compareOutcomes(a, b, req.tolerance);
    return { a, b, diff: d ? `${d.path}: ${d.reason}` : undefined };
  };
  const example = (call: StageCall, j: { a: RawOutcome; b: RawOutcome; diff?: string }, shrunk: boolean): Counterexample => ({
    call,
    display: formatCall(req.name, call),
    baseline: toOutcome(j.a),
    candidate: toOutcome(j.b),
    difference: j.diff ?? '',
    shrunk,
  });

  const arb = req.count > 0 ? callArbitrary(req.shape) : undefined;
  const generated = arb ? fc.sample(arb, { numRuns: req.count, seed: req.seed }) : [];
  const all: { call: StageCall; generated: boolean }[] = [...req.fixtures.map((call) => ({ call, generated: false })), ...generated.map((call) => ({ call, generated: true }))];
  let failures = 0;
  let bothTimedOut = 0;
  let ran = { generated: 0, fixtures: 0 };
  let firstFixture: Counterexample | undefined;
  let firstGenerated: Counterexample | undefined;
  let truncated = false;
  for (const [i, item] of all.entries()) {
    if (outOfTime()) {
      truncated = true;
      break;
    }
    const j = await judge(item.call);
    ran = item.generated ? { ...ran, generated: ran.generated + 1 } : { ...ran, fixtures: ran.fixtures + 1 };
    if (j.a.kind === 'timeout' && j.b.kind === 'timeout') bothTimedOut++;
    else if (j.diff) {
      failures++;
      if (item.generated) firstGenerated ??= example(item.call, j, false);
      else firstFixture ??= example(item.call, j, false);
    }
    if (i % 10 === 9) send({ type: 'progress', done: i + 1, total: all.length });
  }

  let counterexample = firstGenerated ?? firstFixture;
  if (firstGenerated && arb && !outOfTime()) {
    // fast-check searches again with the same seed and shrinks what fails; the time left bounds it.
    const left = req.budgetMs === undefined ? 20_000 : Math.max(0, req.budgetMs - (Date.now() - started));
    let last: { call: StageCall; j: Awaited<ReturnType<typeof judge>> } | undefined;
    const prop = fc.asyncProperty(arb, async (call) => {
      const j = await judge(call);
      if (!j.diff || (j.a.kind === 'timeout' && j.b.kind === 'timeout')) return true;
      last = { call, j };
      return false;
    });
    const details = await fc.check(prop, { seed: req.seed, numRuns: Math.max(req.count, 100), interruptAfterTimeLimit: left, markInterruptAsFailure: false });
    if (details.failed && details.counterexample && last) {
      const best = details.counterexample[0];
      const j = await judge(best);
      if (j.diff) counterexample = example(best, j, details.numShrinks > 0);
    }
    // The shortest display wins: an unshrinkable example may still be beaten by the first failure.
    if (counterexample && firstGenerated.display.length < counterexample.display.length) counterexample = firstGenerated;
  }
  send({ type: 'result', generated: ran.generated, fixtures: ran.fixtures, failures, counterexample, bothTimedOut, truncated });
}

// A spare worker whose parent went away has nobody to work for.
process.once('disconnect', () => process.exit(0));

process.once('message', (req: StageRunRequest) => {
  run(req).then(
    () => process.exit(0),
    (e: unknown) => {
      send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      process.exit(0);
    },
  );
});
