import { readFileSync } from 'node:fs';
import type { Dataset } from './types';

/** Parses `a,b,c,label` CSV text; empty or `NA` cells become NaN so cleaning can drop them. */
export function parseCsv(text: string): Dataset {
  const [header, ...lines] = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const names = header.split(',').map((h) => h.trim());
  const rows: number[][] = [];
  const labels: string[] = [];
  for (const line of lines) {
    const cells = line.split(',');
    labels.push(cells[cells.length - 1].trim());
    rows.push(cells.slice(0, -1).map((c) => (c.trim() === '' || c.trim() === 'NA' ? NaN : Number(c))));
  }
  return { columns: names.slice(0, -1), rows, labels };
}

/**
 * Reads the dataset from disk.
 * @stage load
 */
export function loadDataset(file: string): Dataset {
  return parseCsv(readFileSync(file, 'utf8'));
}
