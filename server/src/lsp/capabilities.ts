import type { ClientCapabilities } from 'vscode-languageserver/node';

/** The client features the server adapts to (only what the client supports is advertised or used). */
export interface ClientFeatures {
  configurationPull: boolean;
  codeActionLiterals: boolean;
  workDoneProgress: boolean;
  watchedFilesDynamic: boolean;
  /** `workspace/didChangeConfiguration` can be registered for (pull-model clients need it to notify us). */
  configurationChangeDynamic: boolean;
  /** `documentChanges` with `create` resource operations. */
  createFiles: boolean;
  /** `codeAction/resolve` can fill in `edit`, and `data` survives the round trip. */
  codeActionResolve: boolean;
}

export function readCapabilities(c: ClientCapabilities): ClientFeatures {
  const edit = c.workspace?.workspaceEdit;
  return {
    configurationPull: !!c.workspace?.configuration,
    codeActionLiterals: !!c.textDocument?.codeAction?.codeActionLiteralSupport,
    workDoneProgress: !!c.window?.workDoneProgress,
    watchedFilesDynamic: !!c.workspace?.didChangeWatchedFiles?.dynamicRegistration,
    configurationChangeDynamic: !!c.workspace?.didChangeConfiguration?.dynamicRegistration,
    createFiles: !!edit?.documentChanges && !!edit.resourceOperations?.includes('create'),
    codeActionResolve:
      !!c.textDocument?.codeAction?.dataSupport &&
      !!c.textDocument.codeAction.resolveSupport?.properties.includes('edit'),
  };
}
