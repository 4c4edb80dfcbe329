import type { WebviewState } from './types';

/** The one handle on the editor (VS Code allows a single acquireVsCodeApi call per page). */
export const vscode = acquireVsCodeApi<WebviewState>();
