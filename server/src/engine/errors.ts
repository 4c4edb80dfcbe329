/**
 * Every failure caused by bad input is an EngineError: it carries a stable code, the file it concerns
 * and, where known, a 1-based line and column. Front doors (CLI, LSP) turn it into an exit code 2 or a
 * located diagnostic; nothing else should escape the engine.
 */
export type EngineErrorCode =
  | 'file-not-found'
  | 'not-onnx'
  | 'unsupported-op'
  | 'model-load-failed'
  | 'signature-mismatch'
  | 'fixture-invalid'
  | 'fixture-missing-input'
  | 'fixture-empty'
  | 'config-invalid'
  | 'git-error'
  | 'not-a-git-repo'
  | 'git-path-missing'
  | 'inference-crashed'
  | 'inference-timeout'
  | 'inference-failed'
  | 'output-unwritable'
  | 'nothing-compared'
  | 'input-too-large'
  | 'usage'
  | 'cancelled'
  | 'stage-not-found'
  | 'stage-unsupported'
  | 'stage-signature-changed'
  | 'stage-build-failed'
  | 'stage-load-failed'
  | 'stage-crashed'
  | 'stage-timeout';

export interface ErrorLocation {
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
}

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly location: ErrorLocation = {},
  ) {
    super(message);
    this.name = 'EngineError';
  }

  /** `file:line:col: message`, the form editors and terminals turn into links. */
  format(): string {
    const { file, line, column } = this.location;
    if (!file) return this.message;
    const where = line ? `${file}:${line}${column ? `:${column}` : ''}` : file;
    return `${where}: ${this.message}`;
  }
}

export function isEngineError(e: unknown): e is EngineError {
  return e instanceof EngineError;
}

/** Wraps anything thrown into an EngineError so callers handle one type. */
export function toEngineError(e: unknown, code: EngineErrorCode, location: ErrorLocation = {}): EngineError {
  if (e instanceof EngineError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new EngineError(code, message, location);
}
