import type { CleanDataset, FeatureBatch } from './types';

/** Column pairs whose products the classifier was trained on (sepal L×W, petal L×W, lengths, widths). */
const INTERACTIONS: ReadonlyArray<[number, number]> = [[0, 1], [2, 3], [0, 2], [1, 3]];

/**
 * Builds interaction features and packs them into the model's float32 batch.
 * @stage featurize
 */
export function featurize(ds: CleanDataset): FeatureBatch {
  const derived = ds.rows.map((row) => INTERACTIONS.map(([i, j]) => row[i] * row[j]));

  // Products of z-scores are not unit-scaled any more: standardize them again.
  const width = derived[0].length;
  const mu: number[] = new Array(width).fill(0);
  const sigma: number[] = new Array(width).fill(0);
  for (const features of derived) {
    for (let k = 0; k < width; k++) {
      mu[k] += features[k] / derived.length;
    }
  }
  for (const features of derived) {
    for (let k = 0; k < width; k++) {
      sigma[k] += (features[k] - mu[k]) ** 2 / derived.length;
    }
  }
  for (let k = 0; k < width; k++) {
    sigma[k] = Math.sqrt(sigma[k]) || 1;
  }
  const scaled = derived.map((features) => features.map((x, k) => (x - mu[k]) / sigma[k]));

  return { data: Float32Array.from(scaled.flat()), rows: scaled.length, cols: width };
}
