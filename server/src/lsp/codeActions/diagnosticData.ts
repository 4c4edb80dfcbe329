import type { Diagnostic } from 'vscode-languageserver/node';
import type { Location } from '../../engine/findings';
import type { DiagnosticData } from '../../protocol';

/** Reads our `data` back from a diagnostic the client echoed; undefined for anything else. */
export function diagnosticData(d: Diagnostic): DiagnosticData | undefined {
  const data = d.data as Partial<DiagnosticData> | undefined;
  return data && typeof data.rule === 'string' ? (data as DiagnosticData) : undefined;
}

export function payloadString(d: Diagnostic, key: string): string | undefined {
  const v = diagnosticData(d)?.payload?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** Every copy of a clone (this one first), as the converter stored them. */
export function cloneCopies(d: Diagnostic): Location[] {
  const v = diagnosticData(d)?.payload?.copies;
  if (!Array.isArray(v)) return [];
  return v.filter((c): c is Location => !!c && typeof (c as Location).file === 'string' && !!(c as Location).range);
}

export { CLONE_RULES } from '../../engine/rules';
