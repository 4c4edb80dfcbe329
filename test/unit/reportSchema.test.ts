import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineError } from '../../server/src/engine/errors';
import { checkVerifyReport } from '../../server/src/engine/reportSchema';
import { generateReportSchema, REPORT_SCHEMA } from '../../scripts/reportSchema';

const root = path.resolve(__dirname, '..', '..', '..');

describe('the verify report schema', () => {
  it('is the schema generated from VerifyReport (run `node out/scripts/reportSchema.js` after changing the type)', function () {
    this.timeout(60000);
    const committed = fs.readFileSync(path.join(root, REPORT_SCHEMA), 'utf8');
    assert.equal(committed, generateReportSchema(root));
  });

  it('names the first missing or mistyped field and the file', () => {
    const report = { schemaVersion: 1, cases: [] };
    assert.throws(
      () => checkVerifyReport(report, 'r.json'),
      (e: EngineError) =>
        e.location.file === 'r.json' &&
        /^not a complete ml-parity verify JSON report \(must have required property '\w+'\)/.test(e.message),
    );
  });
});
