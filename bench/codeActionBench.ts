/**
 * Code-action latency on the example workspace, measured as an editor sees it: the real server over stdio, the
 * lightbulb's `textDocument/codeAction` at every finding of every open file (the diagnostics under the cursor in
 * the context, no `only`), round trip timed in the client. Two clients side by side: one that resolves edits
 * lazily (`codeAction/resolve`, as VS Code does) and one that cannot, so every edit is built in the request.
 * The resolve of the actions a user would pick is timed too (first one includes building the ts-morph project).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CodeActionResolveRequest,
  CodeActionTriggerKind,
  type ClientCapabilities,
  type CodeAction,
  type Diagnostic,
} from 'vscode-languageserver-protocol';
import { FULL_CAPABILITIES, LspTestClient, uri } from '../test/server/lspClient';
import { copyExample } from '../test/server/workspace';

const LAZY: ClientCapabilities = {
  ...FULL_CAPABILITIES,
  textDocument: {
    ...FULL_CAPABILITIES.textDocument,
    codeAction: {
      ...FULL_CAPABILITIES.textDocument?.codeAction,
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
    },
  },
};

interface LatencyStats {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface CodeActionBenchResult {
  lazy: LatencyStats;
  eager: LatencyStats;
  /** Resolve latency of the lazy client's extract/test actions: the first (builds the project) and the rest. */
  firstResolveMs: number;
  resolve: LatencyStats;
  findings: number;
}

function stats(ms: number[]): LatencyStats {
  const sorted = [...ms].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  return { requests: ms.length, p50Ms: q(0.5), p95Ms: q(0.95), maxMs: sorted.at(-1) ?? NaN };
}

function overlaps(d: Diagnostic, line: number): boolean {
  return d.range.start.line <= line && line <= d.range.end.line;
}

/** Opens the files, waits for their findings, then asks for the lightbulb at each finding `rounds` times. */
async function measure(
  capabilities: ClientCapabilities,
  rounds: number,
): Promise<{ times: number[]; actions: CodeAction[]; findings: number; client: LspTestClient; root: string }> {
  const root = copyExample();
  const client = await LspTestClient.start(root, { capabilities });
  const dir = path.join(root, 'src', 'pipeline');
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
  await client.waitFor(
    'the first analysis',
    () => client.statuses.some((s) => s.state === 'idle' && s.findings > 0),
    60_000,
  );
  for (const f of files) await client.open(f);
  const times: number[] = [];
  const actions: CodeAction[] = [];
  let findings = 0;
  for (let round = 0; round < rounds; round++) {
    for (const f of files) {
      const all = client.diagnosticsFor(f);
      if (round === 0) findings += all.length;
      for (const d of all) {
        const line = d.range.start.line;
        const here = all.filter((x) => overlaps(x, line));
        const t0 = process.hrtime.bigint();
        const got = await client.conn.sendRequest('textDocument/codeAction', {
          textDocument: { uri: uri(f) },
          range: { start: d.range.start, end: d.range.start },
          context: { diagnostics: here, triggerKind: CodeActionTriggerKind.Automatic },
        });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (round === 0) actions.push(...((got ?? []) as CodeAction[]));
      }
    }
  }
  return { times, actions, findings, client, root };
}

export async function runCodeActionBench(rounds = 20): Promise<CodeActionBenchResult> {
  const lazy = await measure(LAZY, rounds);
  const resolveTimes: number[] = [];
  try {
    for (const a of lazy.actions.filter((x) => !x.edit && x.data !== undefined)) {
      const t0 = process.hrtime.bigint();
      const resolved = await lazy.client.conn.sendRequest(CodeActionResolveRequest.type, a);
      resolveTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (!resolved.edit) throw new Error(`"${a.title}" resolved without an edit`);
    }
  } finally {
    await lazy.client.stop();
    fs.rmSync(lazy.root, { recursive: true, force: true });
  }
  const eager = await measure(FULL_CAPABILITIES, rounds);
  await eager.client.stop();
  fs.rmSync(eager.root, { recursive: true, force: true });
  return {
    lazy: stats(lazy.times),
    eager: stats(eager.times),
    firstResolveMs: resolveTimes[0] ?? NaN,
    resolve: stats(resolveTimes.slice(1)),
    findings: lazy.findings,
  };
}

export function codeActionBenchMarkdown(r: CodeActionBenchResult): string {
  const ms = (x: number): string => `${x.toFixed(1)} ms`;
  const row = (name: string, s: LatencyStats): string =>
    `| ${name} | ${s.requests} | ${ms(s.p50Ms)} | ${ms(s.p95Ms)} | ${ms(s.maxMs)} |`;
  return [
    `Lightbulb requests at each of the example's ${r.findings} findings in its open pipeline files, repeated; goal p95 < 50 ms.`,
    '',
    '| client | requests | p50 | p95 | max |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('resolves edits lazily (`codeAction/resolve`, like VS Code)', r.lazy),
    row('no resolve support (edits built in the request)', r.eager),
    row('`codeAction/resolve` of an extract/test action, after the first', r.resolve),
    '',
    `First resolve (builds the ts-morph project): ${ms(r.firstResolveMs)}. Goal p95 < 50 ms for the lazy client: **${r.lazy.p95Ms < 50 ? 'met' : 'not met'}**.`,
    '',
  ].join('\n');
}
