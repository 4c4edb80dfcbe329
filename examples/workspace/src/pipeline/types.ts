/** Rows of measurements as read from the CSV; `NaN` marks a missing cell. */
export interface Dataset {
  columns: string[];
  rows: number[][];
  labels: string[];
}

/** Per-column statistics kept so the same scaling can be applied at serving time. */
export interface ColumnStats {
  mean: number;
  std: number;
}

/** Cleaned, z-scored measurements. */
export interface CleanDataset {
  columns: string[];
  rows: number[][];
  labels: string[];
  stats: ColumnStats[];
}

/** A row-major float32 batch, the layout the ONNX model takes. */
export interface FeatureBatch {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** Class probabilities per row, as the classifier returns them. */
export interface Prediction {
  probs: Float32Array;
  rows: number;
  classes: number;
}

export interface Labelled {
  label: string;
  confidence: number;
}
