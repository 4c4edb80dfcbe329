import type { CleanDataset, ColumnStats, Dataset } from './types';

/** Measurements outside this range (cm) are sensor glitches, not flowers. */
const MAX_MEASUREMENT = 20;

/** Keeps rows whose every cell is a finite, plausible measurement. */
export function dropIncomplete(ds: Dataset): Dataset {
  const keep = ds.rows.map((row) => row.every((v) => Number.isFinite(v) && v >= 0 && v <= MAX_MEASUREMENT));
  return {
    columns: ds.columns,
    rows: ds.rows.filter((_, i) => keep[i]),
    labels: ds.labels.filter((_, i) => keep[i]),
  };
}

/**
 * Cleans the raw dataset and z-scores every column.
 * @stage preprocess
 */
export function preprocess(ds: Dataset): CleanDataset {
  const clean = dropIncomplete(ds);
  const rows = clean.rows;
  if (rows.length === 0) throw new Error('no complete rows left after cleaning');

  // Normalization: mean and standard deviation per column, then z-score.
  const columnCount = rows[0].length;
  const means: number[] = new Array(columnCount).fill(0);
  const stds: number[] = new Array(columnCount).fill(0);
  for (const row of rows) {
    for (let c = 0; c < columnCount; c++) {
      means[c] += row[c] / rows.length;
    }
  }
  for (const row of rows) {
    for (let c = 0; c < columnCount; c++) {
      stds[c] += (row[c] - means[c]) ** 2 / rows.length;
    }
  }
  for (let c = 0; c < columnCount; c++) {
    stds[c] = Math.sqrt(stds[c]) || 1;
  }
  const normalized = rows.map((row) => row.map((value, c) => (value - means[c]) / stds[c]));

  const stats: ColumnStats[] = means.map((mean, c) => ({ mean, std: stds[c] }));
  return { columns: clean.columns, rows: normalized, labels: clean.labels, stats };
}
