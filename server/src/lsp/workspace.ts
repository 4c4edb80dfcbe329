import * as path from 'node:path';
import { Analyzer } from '../engine/analysis/analyzer';
import type { AnalysisResult } from '../engine/analysis/types';
import { defaultConfig, findConfig, loadConfig } from '../engine/config/load';
import type { MlParityConfig } from '../engine/config/types';
import { toEngineError, type EngineError } from '../engine/errors';

/**
 * One workspace folder: its config and the engine's incremental analyzer. Config errors do not stop the
 * analysis: defaults are used and the error is kept so it can be shown on the config file.
 */
export class WorkspaceFolderState {
  config: MlParityConfig;
  configError: EngineError | undefined;
  private analyzer: Analyzer;
  /** Findings of the last analysis run, or undefined before the first one. */
  last: AnalysisResult | undefined;

  constructor(
    readonly root: string,
    configPath = '',
  ) {
    ({ config: this.config, error: this.configError } = readConfig(root, configPath));
    this.analyzer = new Analyzer(root, this.config.analysis);
  }

  /** Re-reads the config (after it changed on disk) and rebuilds the analyzer. */
  reload(configPath = ''): void {
    ({ config: this.config, error: this.configError } = readConfig(this.root, configPath));
    this.analyzer = new Analyzer(this.root, this.config.analysis);
    this.last = undefined;
  }

  contains(file: string): boolean {
    const rel = path.relative(this.root, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  analyzeAll(): AnalysisResult {
    return (this.last = this.analyzer.analyzeAll());
  }

  update(file: string, text: string): AnalysisResult {
    return (this.last = this.analyzer.updateFile(file, text));
  }

  remove(file: string): AnalysisResult {
    return (this.last = this.analyzer.removeFile(file));
  }
}

function readConfig(root: string, configPath: string): { config: MlParityConfig; error?: EngineError } {
  const file = configPath ? path.resolve(root, configPath) : findConfig(root);
  if (!file) return { config: defaultConfig(root) };
  try {
    return { config: loadConfig(file) };
  } catch (e) {
    return { config: defaultConfig(root), error: toEngineError(e, 'config-invalid', { file }) };
  }
}

/** The folder owning a file: the deepest root that contains it. */
export function folderFor(folders: readonly WorkspaceFolderState[], file: string): WorkspaceFolderState | undefined {
  return folders
    .filter((f) => f.contains(file))
    .sort((a, b) => b.root.length - a.root.length)[0];
}
