// Starts and stops a throwaway code-server: free port, private user-data/extensions/XDG dirs, health-checked.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { PollAbort, pollUntil } from './deadline';

/** A running code-server. */
export interface CodeServer {
  /** e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** host:port, the authority of vscode-remote:// URIs. */
  authority: string;
  userDataDir: string;
  /** Stops the whole process group (server, extension hosts, ptys). Safe to call twice. */
  stop(): Promise<void>;
}

/** Options for {@link startCodeServer}. */
export interface StartOptions {
  entry: string;
  /** Temp folder owned by this run; everything code-server writes goes below it. */
  tempRoot: string;
  logFile: string;
  /** Extra env for the server and, through it, the extension host. */
  env?: Record<string, string>;
  /** Extensions folder to use (e.g. one a .vsix was installed into); default: a fresh one under tempRoot. */
  extensionsDir?: string;
  healthTimeoutMs?: number;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

// Settings that keep the workbench quiet and deterministic for screenshots and DOM reads.
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.openRepositoryInParentFolders': 'never',
  'window.restoreWindows': 'none',
};

/** Private XDG folders, so code-server reads and writes nothing of the user's. */
function xdgEnv(dir: (name: string) => string): Record<string, string> {
  return { XDG_CONFIG_HOME: dir('xdg-config'), XDG_DATA_HOME: dir('xdg-data'), XDG_CACHE_HOME: dir('xdg-cache') };
}

/** Inputs of {@link installExtension}. */
export interface InstallOptions {
  entry: string;
  vsix: string;
  extensionsDir: string;
  /** Temp folder for user data and XDG folders of the install run. */
  tempRoot: string;
  logFile: string;
  timeoutMs?: number;
}

/**
 * `code-server --install-extension x.vsix --force` into `extensionsDir`. A local .vsix needs no gallery; the
 * proxy variables point at a closed port so any attempt to reach the network fails instead of succeeding quietly.
 */
export async function installExtension(o: InstallOptions): Promise<void> {
  const dir = (name: string): string => {
    const d = path.join(o.tempRoot, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  fs.mkdirSync(o.extensionsDir, { recursive: true });
  const offline = {
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    http_proxy: 'http://127.0.0.1:9',
    https_proxy: 'http://127.0.0.1:9',
    NO_PROXY: '',
  };
  const log = fs.openSync(o.logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      o.entry,
      '--extensions-dir',
      o.extensionsDir,
      '--user-data-dir',
      dir('user-data'),
      '--install-extension',
      o.vsix,
      '--force',
    ],
    { stdio: ['ignore', log, log], env: { ...process.env, ...xdgEnv(dir), ...offline } },
  );
  fs.closeSync(log);
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  }).finally(() => clearTimeout(timer));
  if (code !== 0) throw new Error(`code-server --install-extension exited ${code} (see ${o.logFile})`);
}

/** Starts code-server and resolves once /healthz answers. */
export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  const port = await freePort();
  const dir = (name: string): string => {
    const d = path.join(opts.tempRoot, name);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const userDataDir = dir('user-data');
  const extensionsDir = opts.extensionsDir ?? dir('extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));

  const log = fs.openSync(opts.logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      opts.entry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    {
      // Own process group, so stop() can take down the extension hosts it forks as well.
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, ...xdgEnv(dir), ...opts.env },
    },
  );
  fs.closeSync(log);
  let exited = child.exitCode !== null;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  // Signals the whole group; works while any member lives, even after the leader has exited.
  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  // Last resort if the driver dies without running its cleanup.
  const onExit = (): void => killGroup('SIGKILL');
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', onExit);
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5000);
    await exitedPromise;
    clearTimeout(timer);
    // The group may outlive its leader for a moment (extension host); make sure nothing is left.
    killGroup('SIGKILL');
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await pollUntil('code-server /healthz', opts.healthTimeoutMs ?? 60_000, async () => {
      if (exited) throw new PollAbort(`code-server exited early (see ${opts.logFile})`);
      const res = await fetch(`${baseUrl}/healthz`);
      return res.ok ? true : undefined;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, authority: `127.0.0.1:${port}`, userDataDir, stop };
}
