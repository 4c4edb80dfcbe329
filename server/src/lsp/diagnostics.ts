import * as path from 'node:path';
import type { Connection, Diagnostic, TextDocuments, WorkDoneProgressReporter } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { AnalysisResult } from '../engine/analysis/types';
import type { StatusParams } from '../protocol';
import { errorToDiagnostic, groupDiagnostics, toPath, toUri } from './convert';
import { describeError, type Logger } from './logger';
import type { SettingsCache } from './settings';
import { folderFor, type WorkspaceFolderState } from './workspace';

/** Debounce for as-you-type analysis: 300 ms for small files, growing with size up to 800 ms. */
export function debounceDelay(lineCount: number): number {
  return Math.min(800, 300 + Math.floor(lineCount / 2));
}

export interface DiagnosticsDeps {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  folders: () => readonly WorkspaceFolderState[];
  settings: SettingsCache;
  log: Logger;
  /** Called with every state change, for the `mlParity/status` notification. */
  onStatus: (status: Pick<StatusParams, 'state' | 'findings' | 'error' | 'notes'>) => void;
}

/**
 * Pushes analysis findings as diagnostics. Never throws: a failed analysis clears the folder's stale
 * diagnostics and logs the error. Each publish replaces the whole folder's set, because an edit in one file
 * can add or remove clone findings in another.
 */
export class DiagnosticsPublisher {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** URIs that currently hold diagnostics, per folder root, so stale ones can be cleared. */
  private readonly published = new Map<string, Set<string>>();
  private readonly counts = new Map<string, number>();
  /** The last analysis's notes per folder root (shown in the status item, new ones logged). */
  private readonly notes = new Map<string, readonly string[]>();

  constructor(private readonly deps: DiagnosticsDeps) {}

  /** Analyses every folder, reporting progress when the client gave us a reporter. */
  async analyzeWorkspace(progress?: WorkDoneProgressReporter): Promise<void> {
    const folders = this.deps.folders();
    progress?.begin('ML Parity: analysing workspace', 0, undefined, false);
    for (const [i, folder] of folders.entries()) {
      const name = path.basename(folder.root);
      progress?.report(Math.round((i / Math.max(1, folders.length)) * 100), name);
      await this.run(folder, () =>
        folder.analyzeAllInSlices((done, total) => {
          const pct = ((i + (total === 0 ? 1 : done / total)) / Math.max(1, folders.length)) * 100;
          progress?.report(Math.round(pct), `${name}: ${done}/${total} files`);
        }),
      );
    }
    progress?.done();
  }

  /** Schedules analysis of an edited document, debounced by its size. */
  scheduleChange(doc: TextDocument): void {
    this.cancel(doc.uri);
    const timer = setTimeout(() => {
      this.timers.delete(doc.uri);
      void this.runForDocument(doc.uri, 'onType');
    }, debounceDelay(doc.lineCount));
    this.timers.set(doc.uri, timer);
  }

  /** Saves and opens analyse at once; pending as-you-type runs are folded into it. */
  async analyzeNow(uri: string): Promise<void> {
    this.cancel(uri);
    await this.runForDocument(uri, 'onSave');
  }

  /** A file deleted on disk: drop it from the analysis. */
  async removeFile(uri: string): Promise<void> {
    const file = toPath(uri);
    const folder = file ? folderFor(this.deps.folders(), file) : undefined;
    if (!file || !folder) return;
    await this.run(folder, () => folder.remove(file));
  }

  /** Re-publishes the last result of every folder (after a settings change altered severities). */
  async republish(): Promise<void> {
    for (const folder of this.deps.folders()) {
      if (folder.last) await this.publish(folder, folder.last);
    }
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private cancel(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
  }

  private async runForDocument(uri: string, trigger: 'onType' | 'onSave'): Promise<void> {
    const doc = this.deps.documents.get(uri);
    const file = toPath(uri);
    const folder = file ? folderFor(this.deps.folders(), file) : undefined;
    if (!doc || !file || !folder) return;
    const settings = await this.deps.settings.get(uri);
    if (trigger === 'onType' && settings.run === 'onSave') return;
    if (folder.isConfigFile(file)) {
      // A config edit changes what is analysed and how: rebuild from the editor's text.
      await this.run(folder, () => {
        folder.reload(settings.configPath, doc.getText());
        return folder.analyzeAll();
      });
      return;
    }
    await this.run(folder, () => folder.update(file, doc.getText()));
  }

  private async run(
    folder: WorkspaceFolderState,
    analyse: () => AnalysisResult | Promise<AnalysisResult>,
  ): Promise<void> {
    this.deps.onStatus({ state: 'analysing', findings: this.total() });
    try {
      const result = await analyse();
      await this.publish(folder, result);
      this.deps.onStatus({ state: 'idle', findings: this.total(), notes: this.allNotes() });
    } catch (e) {
      this.deps.log.error(`analysis of ${folder.root} failed: ${describeError(e)}`);
      this.clear(folder.root);
      this.deps.onStatus({
        state: 'idle',
        findings: this.total(),
        notes: this.allNotes(),
        error: 'analysis failed (see log)',
      });
    }
  }

  private async publish(folder: WorkspaceFolderState, result: AnalysisResult): Promise<void> {
    const settings = await this.deps.settings.get(toUri(folder.root));
    const byUri = groupDiagnostics(
      [...result.findings, ...folder.caseFindings, ...folder.stageFindings],
      settings.rules,
    );
    if (folder.configError) {
      const file = folder.configError.location.file ?? folder.config.file;
      if (file) {
        const uri = toUri(file);
        byUri.set(uri, [...(byUri.get(uri) ?? []), errorToDiagnostic(folder.configError)]);
      }
    }
    const previous = this.published.get(folder.root) ?? new Set<string>();
    for (const uri of previous) {
      if (!byUri.has(uri)) this.send(uri, []);
    }
    let count = 0;
    for (const [uri, diagnostics] of byUri) {
      this.send(uri, diagnostics);
      count += diagnostics.length;
    }
    this.published.set(folder.root, new Set(byUri.keys()));
    this.counts.set(folder.root, count);
    const before = new Set(this.notes.get(folder.root) ?? []);
    for (const n of result.notes) if (!before.has(n)) this.deps.log.info(`note (${folder.root}): ${n}`);
    this.notes.set(folder.root, result.notes);
  }

  private clear(root: string): void {
    for (const uri of this.published.get(root) ?? []) this.send(uri, []);
    this.published.delete(root);
    this.counts.delete(root);
    this.notes.delete(root);
  }

  private send(uri: string, diagnostics: Diagnostic[]): void {
    void this.deps.connection.sendDiagnostics({ uri, diagnostics }).catch((e: unknown) => {
      this.deps.log.warn(`could not publish diagnostics for ${uri}: ${describeError(e)}`);
    });
  }

  private allNotes(): string[] {
    return [...new Set([...this.notes.values()].flat())];
  }

  private total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
}
