import * as ort from 'onnxruntime-node';
import type { FeatureBatch, Prediction } from './types';

/** Relative to the workspace root, where `npm test` and the CLI run. */
export const DEFAULT_MODEL = 'models/classifier.onnx';

/**
 * Runs the ONNX classifier on a feature batch and returns its class probabilities.
 * @stage predict
 */
export async function predict(batch: FeatureBatch, modelPath: string = DEFAULT_MODEL): Promise<Prediction> {
  const session = await ort.InferenceSession.create(modelPath);
  try {
    const features = new ort.Tensor('float32', batch.data, [batch.rows, batch.cols]);
    const { probs } = await session.run({ features });
    const [rows, classes] = probs.dims;
    return { probs: probs.data as Float32Array, rows, classes };
  } finally {
    await session.release();
  }
}
