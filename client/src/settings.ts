import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type MlParitySettings } from '../../server/src/protocol';

/** The one place where VS Code settings become the typed object the server receives. */
export function readSettings(scope: vscode.ConfigurationScope | undefined): MlParitySettings {
  const c = vscode.workspace.getConfiguration('mlParity', scope);
  return {
    run: c.get<'onType' | 'onSave'>('run', DEFAULT_SETTINGS.run),
    rules: c.get<MlParitySettings['rules']>('rules', {}),
    configPath: c.get<string>('configPath', DEFAULT_SETTINGS.configPath),
    trace: { server: c.get<'off' | 'messages' | 'verbose'>('trace.server', 'off') },
  };
}
