import * as fs from 'node:fs';
import { FileChangeType, type FileEvent, type TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { toPath, toUri } from './convert';
import type { DiagnosticsPublisher } from './diagnostics';
import { describeError, type Logger } from './logger';
import type { SettingsCache } from './settings';
import { folderFor, type WorkspaceFolderState } from './workspace';

export interface FileEventDeps {
  folders: () => readonly WorkspaceFolderState[];
  documents: TextDocuments<TextDocument>;
  diagnostics: DiagnosticsPublisher;
  settings: SettingsCache;
  log: Logger;
}

/** Files that change outside the editor buffers: closed documents, and watched files changed on disk. */
export class FileEvents {
  constructor(private readonly deps: FileEventDeps) {}

  /** A closed document's unsaved edits are gone: analyse the on-disk text again. */
  async closed(file: string): Promise<void> {
    if (fs.existsSync(file)) await this.fromDisk(file);
    else await this.deps.diagnostics.removeFile(toUri(file));
  }

  async watched(changes: readonly FileEvent[]): Promise<void> {
    // A build rewrites many project files at once: each folder's analyzer is rebuilt once per batch.
    const rebuild = new Set<WorkspaceFolderState>();
    for (const change of changes) {
      const file = toPath(change.uri);
      // Open documents are tracked through their buffers.
      if (!file || this.deps.documents.get(change.uri)) continue;
      const owner = this.owner(file);
      if (owner?.isProjectFile(file)) rebuild.add(owner);
      else if (change.type === FileChangeType.Deleted && !owner?.isConfigFile(file))
        await this.deps.diagnostics.removeFile(change.uri);
      else await this.fromDisk(file);
    }
    if (rebuild.size === 0) return;
    // The analyzer read package.json, tsconfig.json and source maps once: a new one reads them again.
    for (const folder of rebuild) folder.rebuildAnalyzer();
    await this.deps.diagnostics.analyzeWorkspace();
  }

  // The same owner as diagnostics and code actions use: the deepest folder holding the file.
  private owner(file: string): WorkspaceFolderState | undefined {
    return folderFor(this.deps.folders(), file);
  }

  private async fromDisk(file: string): Promise<void> {
    const folder = this.owner(file);
    if (!folder) return;
    try {
      if (folder.isConfigFile(file)) {
        folder.reload((await this.deps.settings.get(toUri(file))).configPath);
        await this.deps.diagnostics.analyzeWorkspace();
        return;
      }
      folder.update(file, fs.readFileSync(file, 'utf8'));
      await this.deps.diagnostics.republish();
    } catch (e) {
      this.deps.log.error(`re-reading ${file} failed: ${describeError(e)}`);
    }
  }
}
