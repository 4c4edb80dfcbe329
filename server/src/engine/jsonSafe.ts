/**
 * JSON has no literal for Infinity or NaN (JSON.stringify writes null). Every JSON output of ML Parity (the CLI's
 * `--format json` and the language server's messages) writes them as these strings instead, so a reader can
 * tell "infinitely far apart" from "missing".
 */
export type NonFiniteText = 'Infinity' | '-Infinity' | 'NaN';

/** `T` as it reads back after {@link toJsonSafe}: any number may be one of the non-finite texts. */
export type JsonSafe<T> = T extends number
  ? number | NonFiniteText
  : T extends readonly (infer U)[]
    ? JsonSafe<U>[]
    : T extends object
      ? { [K in keyof T]: JsonSafe<T[K]> }
      : T;

/** `JSON.stringify` replacer writing non-finite numbers as their texts. */
export function nonFiniteReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** A deep copy of `value` as JSON will carry it, non-finite numbers as their texts. */
export function toJsonSafe<T>(value: T): JsonSafe<T> {
  return JSON.parse(JSON.stringify(value, nonFiniteReplacer)) as JsonSafe<T>;
}
