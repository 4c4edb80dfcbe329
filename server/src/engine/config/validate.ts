import Ajv, { type ValidateFunction } from 'ajv';
import schema from '../../../../schema/mlparity.schema.json';

let validator: ValidateFunction | undefined;

/** The config schema's validator, compiled on first use (its module is loaded only when a config file is read). */
export function configValidator(): ValidateFunction {
  return (validator ??= new Ajv({ allErrors: true, strict: false }).compile(schema));
}
