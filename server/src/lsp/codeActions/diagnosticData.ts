import type { Diagnostic } from 'vscode-languageserver/node';
import type { Location, StageData } from '../../engine/findings';
import { isRuleId } from '../../engine/rules';
import type { DiagnosticData } from '../../protocol';

/** Reads our `data` back from a diagnostic the client echoed; undefined for anything else. */
export function diagnosticData(d: Diagnostic): DiagnosticData | undefined {
  const data: unknown = d.data;
  return isDiagnosticData(data) ? data : undefined;
}

// The client echoes what the server sent, so a known rule carries that rule's payload; the shape checks
// only keep a mangled echo from reaching a code action.
function isDiagnosticData(v: unknown): v is DiagnosticData {
  if (typeof v !== 'object' || v === null || !('rule' in v) || typeof v.rule !== 'string' || !isRuleId(v.rule))
    return false;
  if ('data' in v && v.data !== undefined && (typeof v.data !== 'object' || v.data === null)) return false;
  return !('copies' in v) || v.copies === undefined || (Array.isArray(v.copies) && v.copies.every(isLocation));
}

function isLocation(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'file' in v && typeof v.file === 'string' && 'range' in v && !!v.range;
}

/** The stage an untested-stage diagnostic is about. */
export function untestedStage(d: Diagnostic): StageData | undefined {
  const data = diagnosticData(d);
  return data?.rule === 'untested-stage' ? data.data : undefined;
}

/** Every copy of a clone (the engine's first copy first), as the converter stored them. */
export function cloneCopies(d: Diagnostic): Location[] {
  return diagnosticData(d)?.copies ?? [];
}
