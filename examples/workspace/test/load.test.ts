import assert from 'node:assert/strict';
import { loadDataset, parseCsv } from '../src/pipeline/load';

describe('load', () => {
  it('parses header, numbers and labels', () => {
    const ds = parseCsv('a,b,label\n1,2.5,x\n3,4,y\n');
    assert.deepEqual(ds.columns, ['a', 'b']);
    assert.deepEqual(ds.rows, [[1, 2.5], [3, 4]]);
    assert.deepEqual(ds.labels, ['x', 'y']);
  });

  it('turns empty and NA cells into NaN', () => {
    const ds = parseCsv('a,b,label\n,NA,x\n');
    assert.ok(ds.rows[0].every(Number.isNaN));
  });

  it('reads the shipped dataset', () => {
    const ds = loadDataset('data/iris-like.csv');
    assert.equal(ds.columns.length, 4);
    assert.equal(ds.rows.length, 36);
    assert.deepEqual([...new Set(ds.labels)].sort(), ['setosa', 'versicolor', 'virginica']);
  });
});
