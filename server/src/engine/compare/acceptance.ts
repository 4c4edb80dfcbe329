import type { FixtureStream } from '../fixtures/types';
import { readNumber } from '../tensor/tensor';
import { judge, type AcceptCriteria, type OutputMetrics } from './metrics';
import type { OutputComparison } from './types';

/** The name of the per-fixture tensor holding class labels. */
const LABEL_TENSOR = 'label';

/**
 * Takes labels out of the fixtures: a tensor named `label` in each case (unless the model has an input of
 * that name), else the case's `labels` list (one class per fixture case, in order). The returned stream
 * yields the cases without their label tensors, so binding to the model's inputs is unchanged.
 */
export function withLabels(
  stream: FixtureStream,
  modelInputs: string[],
  configured?: number[],
): { stream: FixtureStream; labels: Map<string, number[]> } {
  const labels = new Map<string, number[]>();
  if (modelInputs.includes(LABEL_TENSOR) && !configured) return { stream, labels };
  return {
    labels,
    stream: {
      ...stream,
      read(start, end) {
        return stream.read(start, end).map((fc, j) => {
          const t = fc.inputs.find((x) => x.name === LABEL_TENSOR);
          if (t && !modelInputs.includes(LABEL_TENSOR)) {
            labels.set(
              fc.id,
              Array.from({ length: t.tensor.data.length }, (_, i) => readNumber(t.tensor, i)),
            );
            return { ...fc, inputs: fc.inputs.filter((x) => x !== t) };
          }
          const label = configured?.[start + j];
          if (label !== undefined) labels.set(fc.id, [label]);
          return fc;
        });
      },
    },
  };
}

/**
 * With acceptance criteria, an output passes iff every criterion holds; its elementwise verdict is kept as
 * `acceptance.elementwisePassed`, informative only. Per-output criteria extend the case's.
 */
export function applyAcceptance(
  o: OutputComparison,
  metrics: OutputMetrics,
  caseCriteria?: AcceptCriteria,
  outputCriteria?: AcceptCriteria,
): void {
  o.metrics = metrics;
  const criteria = { ...caseCriteria, ...outputCriteria };
  if (Object.keys(criteria).length === 0) return;
  const results = judge(criteria, o, metrics);
  o.acceptance = { criteria: results, passed: results.every((r) => r.passed), elementwisePassed: o.passed };
  o.passed = o.acceptance.passed;
}
