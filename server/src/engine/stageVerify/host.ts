import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../errors';
import { parseStageMessage, type StageRunRequest, type StageWorkerMessage } from './messages';

type Result = Extract<StageWorkerMessage, { type: 'result' }>;

/** The worker sits beside this file when compiled by tsc, or as `stageWorker.js` beside a bundle. */
function stageWorkerPath(): string {
  const candidates = [path.join(__dirname, 'worker.js'), path.join(__dirname, 'stageWorker.js')];
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
}

let spare: ChildProcess | undefined;

function forkWorker(): ChildProcess {
  return fork(stageWorkerPath(), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: [],
  });
}

/** A started worker: the spare one when alive (then a new spare is started if `prefork`), else a new one. */
function takeWorker(prefork: boolean): ChildProcess {
  const ready = spare && spare.connected && spare.exitCode === null && spare.signalCode === null ? spare : undefined;
  spare = undefined;
  const child = ready ?? forkWorker();
  child.ref();
  (child.channel as { ref?: () => void } | undefined)?.ref?.();
  if (prefork) {
    // Started now, used by the next run: a language server does not pay node's start-up and the
    // loading of fast-check on each "Verify against HEAD". It never keeps the server alive.
    spare = forkWorker();
    spare.unref();
    (spare.channel as { unref?: () => void } | undefined)?.unref?.();
    spare.stderr?.resume();
    (spare.stderr as { unref?: () => void } | null)?.unref?.();
    spare.on('error', () => undefined);
  }
  return child;
}

/**
 * Runs the comparison in a child process: stage code is user code, so a crash, `process.exit` or a
 * runaway allocation takes down only the child. `hardLimitMs` bounds the whole run; the signal cancels it.
 */
export function runInWorker(
  req: StageRunRequest,
  hardLimitMs: number,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
  prefork = false,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new EngineError('cancelled', 'cancelled'));
    const child = takeWorker(prefork);
    let stderr = '';
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      f();
    };
    const onAbort = (): void => finish(() => reject(new EngineError('cancelled', 'cancelled')));
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new EngineError(
              'stage-timeout',
              `the stage comparison did not finish within ${hardLimitMs} ms and was stopped`,
            ),
          ),
        ),
      hardLimitMs,
    );
    signal?.addEventListener('abort', onAbort);
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
    child.on('message', (raw: unknown) => {
      const m = parseStageMessage(raw);
      if (typeof m === 'string') {
        const why = `the process running ${req.name} sent ${m}; it was stopped (the stage may write to process.send)`;
        return finish(() => reject(new EngineError('stage-crashed', why)));
      }
      if (m.type === 'progress') onProgress?.(m.done, m.total);
      else if (m.type === 'result') finish(() => resolve(m));
      else {
        const who = m.which
          ? `the ${m.which === 'baseline' ? req.labels.baseline : req.labels.candidate} version of ${req.name} `
          : '';
        finish(() =>
          reject(
            new EngineError('stage-load-failed', `${who}could not be loaded: ${m.message}`, {
              file: m.which ? req[m.which].file : undefined,
            }),
          ),
        );
      }
    });
    child.on('exit', (code, sig) => {
      const how = sig ? `signal ${sig}` : `exit code ${code}`;
      const tail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : '';
      finish(() =>
        reject(
          new EngineError(
            'stage-crashed',
            `the process running ${req.name} ended early (${how})${tail}; the stage may call process.exit or exhaust memory`,
          ),
        ),
      );
    });
    child.on('error', (e) =>
      finish(() => reject(new EngineError('stage-crashed', `could not start the stage process: ${e.message}`))),
    );
    child.send(req);
  });
}
