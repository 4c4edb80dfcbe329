import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_SETTINGS, type MlParitySettings } from '../protocol';

/** Merges whatever the client returned over the defaults, ignoring values of the wrong type. */
export function normalizeSettings(raw: unknown): MlParitySettings {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Partial<Record<keyof MlParitySettings, unknown>>;
  const trace = (r.trace && typeof r.trace === 'object' ? r.trace : {}) as { server?: unknown };
  return {
    run: r.run === 'onSave' ? 'onSave' : DEFAULT_SETTINGS.run,
    rules: r.rules && typeof r.rules === 'object' ? r.rules : {},
    configPath: typeof r.configPath === 'string' ? r.configPath : DEFAULT_SETTINGS.configPath,
    trace: {
      server: trace.server === 'messages' || trace.server === 'verbose' ? trace.server : 'off',
    },
  };
}

/**
 * Per-resource settings pulled from the client (`workspace/configuration`) and cached per URI; the cache is
 * cleared when the client reports a change. Clients without the configuration capability get defaults.
 */
export class SettingsCache {
  private readonly cache = new Map<string, Promise<MlParitySettings>>();
  /** Set from the client capabilities at initialize. */
  canPull = false;

  constructor(private readonly connection: Connection) {}

  get(uri: string): Promise<MlParitySettings> {
    if (!this.canPull) return Promise.resolve(DEFAULT_SETTINGS);
    let pending = this.cache.get(uri);
    if (!pending) {
      pending = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'mlParity' })
        .then(normalizeSettings, () => DEFAULT_SETTINGS);
      this.cache.set(uri, pending);
    }
    return pending;
  }

  clear(): void {
    this.cache.clear();
  }
}
