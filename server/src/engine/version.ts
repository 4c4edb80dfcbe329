import pkg from '../../../package.json';

/** The extension/CLI version, reported in every JSON/SARIF output. */
export const TOOL_VERSION: string = pkg.version;
