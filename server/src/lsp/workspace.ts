import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analyzer } from '../engine/analysis/analyzer';
import type { StageDependencies } from '../engine/analysis/stageDeps';
import type { AnalysisResult } from '../engine/analysis/types';
import { CONFIG_FILE_NAME, defaultConfig, findConfig, loadConfig, parseConfig } from '../engine/config/load';
import { checkCaseFiles } from '../engine/config/caseFiles';
import type { MlParityConfig } from '../engine/config/types';
import type { Finding, FindingOf } from '../engine/findings';
import { toEngineError, type EngineError } from '../engine/errors';
import type { CaseStatus } from '../engine/verifyTypes';

/**
 * One workspace folder: its config and the engine's incremental analyzer. Config errors do not stop the
 * analysis: defaults are used and the error is kept so it can be shown on the config file.
 */
export class WorkspaceFolderState {
  config: MlParityConfig;
  configError: EngineError | undefined;
  /** Missing or invalid model and fixture files named by the config's verify cases. */
  caseFindings: Finding[] = [];
  /** Built on first use, so the server answers and shows progress before the first (whole-workspace) read. */
  private analyzer: Analyzer | undefined;
  /** Divergences found by "Verify against HEAD", until their file's text changes or the stage is verified again. */
  stageFindings: FindingOf<'stage-divergence'>[] = [];
  /** The text each divergence was found in, by file. */
  private readonly stageTexts = new Map<string, string>();
  /** Findings of the last analysis run, or undefined before the first one. */
  last: AnalysisResult | undefined;
  /** The latest verify verdict of each case, by name: "Explain divergence" is offered on the failed ones. */
  readonly caseVerdicts = new Map<string, CaseStatus>();

  constructor(
    readonly root: string,
    /** The `mlParity.configPath` setting the config was read with. */
    public configPath = '',
  ) {
    ({ config: this.config, error: this.configError } = readConfig(root, configPath));
    this.caseFindings = caseFindings(this.config);
  }

  /** Re-reads the config (after it changed on disk, or from unsaved editor text) and rebuilds the analyzer. */
  reload(configPath = '', text?: string): void {
    this.configPath = configPath;
    ({ config: this.config, error: this.configError } = readConfig(this.root, configPath, text));
    this.caseFindings = caseFindings(this.config, text);
    this.analyzer = undefined;
    this.last = undefined;
  }

  /** Drops the analyzer: the next analysis reads the project files (package.json, tsconfig.json…) again. */
  rebuildAnalyzer(): void {
    this.analyzer = undefined;
    this.last = undefined;
  }

  /** Replaces the divergence shown for one stage (none when `finding` is undefined); `text` is what was verified. */
  setStageFinding(stage: string, file: string, text: string, finding: FindingOf<'stage-divergence'> | undefined): void {
    this.stageFindings = this.stageFindings.filter((f) => !(f.file === file && f.data.stage === stage));
    if (finding) this.stageFindings.push(finding);
    this.stageTexts.set(file, text);
  }

  isConfigFile(file: string): boolean {
    return file === (this.config.file ?? path.join(this.root, CONFIG_FILE_NAME));
  }

  /**
   * A file the analysis reads besides the sources, that can change what every file's results are:
   * package.json (entry points), tsconfig*.json (file list, outDir, rootDir) and source maps.
   */
  isProjectFile(file: string): boolean {
    if (!this.contains(file) || file.split(path.sep).includes('node_modules')) return false;
    const name = path.basename(file);
    return name === 'package.json' || /^tsconfig.*\.json$/.test(name) || name.endsWith('.map');
  }

  contains(file: string): boolean {
    const rel = path.relative(this.root, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  analyzeAll(): AnalysisResult {
    return (this.last = this.engine().analyzeAll());
  }

  /** The first analysis: parsed in slices with progress, so the server keeps answering meanwhile. */
  async analyzeAllInSlices(onProgress?: (done: number, total: number) => void): Promise<AnalysisResult> {
    const engine = this.engine();
    await engine.prepare(onProgress);
    // A config reload in between replaced the engine: its result is the one that counts.
    return (this.last = this.engine().analyzeAll());
  }

  update(file: string, text: string): AnalysisResult {
    if (this.stageTexts.has(file) && this.stageTexts.get(file) !== text) {
      this.stageFindings = this.stageFindings.filter((f) => f.file !== file);
      this.stageTexts.delete(file);
    }
    return (this.last = this.engine().updateFile(file, text));
  }

  remove(file: string): AnalysisResult {
    return (this.last = this.engine().removeFile(file));
  }

  /** The reference graph of the last analysis (see StageDependencies), made once per analysis when first asked. */
  dependencies(): StageDependencies | undefined {
    if (!this.last || !this.analyzer) return undefined;
    if (this.deps?.of !== this.last) this.deps = { of: this.last, deps: this.analyzer.dependencies() };
    return this.deps.deps;
  }

  private deps: { of: AnalysisResult; deps: StageDependencies } | undefined;

  private engine(): Analyzer {
    this.analyzer ??= new Analyzer(this.root, this.config.analysis);
    return this.analyzer;
  }
}

function readConfig(root: string, configPath: string, text?: string): { config: MlParityConfig; error?: EngineError } {
  const file = configPath
    ? path.resolve(root, configPath)
    : (findConfig(root) ?? (text !== undefined ? path.join(root, CONFIG_FILE_NAME) : undefined));
  if (!file) return { config: defaultConfig(root) };
  try {
    return { config: text === undefined ? loadConfig(file) : parseConfig(text, file) };
  } catch (e) {
    return { config: { ...defaultConfig(root), file }, error: toEngineError(e, 'config-invalid', { file }) };
  }
}

function caseFindings(config: MlParityConfig, text?: string): Finding[] {
  if (!config.file) return [];
  try {
    return checkCaseFiles(config, text ?? fs.readFileSync(config.file, 'utf8'));
  } catch {
    return [];
  }
}

/** The folder owning a file: the deepest root that contains it. */
export function folderFor(folders: readonly WorkspaceFolderState[], file: string): WorkspaceFolderState | undefined {
  return folders.filter((f) => f.contains(file)).sort((a, b) => b.root.length - a.root.length)[0];
}
