import * as fs from 'node:fs';
import * as path from 'node:path';
import { createGenerator } from 'ts-json-schema-generator';

/** Where the verify report's JSON schema lives: `report merge` checks shard reports against it. */
export const REPORT_SCHEMA = path.join('schema', 'verify-report.schema.json');

/**
 * The JSON schema of `verify --format json`, generated from the VerifyReport type so the two cannot drift
 * (a test compares this with the committed file). Extra properties are allowed: a reader checks what it needs.
 */
export function generateReportSchema(root: string): string {
  const schema = createGenerator({
    path: path.join(root, 'server/src/engine/verifyTypes.ts'),
    tsconfig: path.join(root, 'tsconfig.json'),
    type: 'VerifyReport',
    additionalProperties: true,
    jsDoc: 'none',
    skipTypeCheck: true,
  }).createSchema('VerifyReport');
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  fs.writeFileSync(path.join(root, REPORT_SCHEMA), generateReportSchema(root));
  process.stdout.write(`wrote ${REPORT_SCHEMA}\n`);
}
