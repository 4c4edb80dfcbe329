import type { Labelled, Prediction } from './types';

export const CLASS_NAMES: readonly string[] = ['setosa', 'versicolor', 'virginica'];

/**
 * Turns probabilities into a label and its confidence per row.
 * @stage postprocess
 */
export function postprocess(pred: Prediction): Labelled[] {
  const out: Labelled[] = [];
  for (let r = 0; r < pred.rows; r++) {
    const row = pred.probs.subarray(r * pred.classes, (r + 1) * pred.classes);
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
    out.push({ label: CLASS_NAMES[best] ?? `class_${best}`, confidence: row[best] });
  }
  return out;
}
