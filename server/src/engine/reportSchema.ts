import Ajv, { type ValidateFunction } from 'ajv';
import schema from '../../../schema/verify-report.schema.json';
import { EngineError } from './errors';
import type { VerifyReport } from './verifyTypes';

let validator: ValidateFunction | undefined;

/**
 * Checks a parsed verify JSON report (non-finite texts already read back as numbers) against the schema
 * generated from VerifyReport, so an edited or truncated report is a located error, not a crash later.
 */
export function checkVerifyReport(data: unknown, file: string): VerifyReport {
  validator ??= new Ajv({ allErrors: false, strict: false }).compile(schema);
  if (validator(data)) return data as VerifyReport;
  const e = validator.errors?.[0];
  const where = e?.instancePath ? `${e.instancePath}: ` : '';
  throw new EngineError(
    'usage',
    `not a complete ml-parity verify JSON report (${where}${e?.message ?? 'invalid'}); was it edited or cut short?`,
    { file },
  );
}
