import { strict as assert } from 'node:assert';
import { DiagnosticSeverity } from 'vscode-languageserver-protocol';
import type { Finding } from '../../server/src/engine/findings';
import type { DiagnosticData } from '../../server/src/protocol';
import { EngineError } from '../../server/src/engine/errors';
import { errorToDiagnostic, expandClones, groupDiagnostics, toDiagnostic, toUri } from '../../server/src/lsp/convert';
import { cloneCopies, diagnosticData, untestedStage } from '../../server/src/lsp/codeActions/diagnosticData';
import { debounceDelay } from '../../server/src/lsp/diagnostics';
import { kindMatches } from '../../server/src/lsp/codeActions/registry';
import { casesAt } from '../../server/src/lsp/codeActions/verifyCase';
import { normalizeSettings } from '../../server/src/lsp/settings';

const range = (l0: number, l1: number) => ({ start: { line: l0, character: 2 }, end: { line: l1, character: 5 } });

const clone: Finding = {
  rule: 'cross-stage-duplicate',
  severity: 'warning',
  message: 'duplicated',
  file: '/ws/a.ts',
  range: range(3, 9),
  related: [{ file: '/ws/b.ts', range: range(10, 16), message: 'copy in b' }],
  data: { cloneId: 'c1', type: 2, tokens: 50, maxTokens: 50, lines: 6, maxLines: 6, similarity: 1, stages: ['a', 'b'] },
};

describe('lsp adapter: pure parts', () => {
  it('converts a finding with code, docs link, related information and data', () => {
    const d = toDiagnostic({ finding: clone })!;
    assert.equal(d.code, 'cross-stage-duplicate');
    assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.match(d.codeDescription!.href, /docs\/rules\/cross-stage-duplicate\.md$/);
    assert.deepEqual(d.relatedInformation, [
      { location: { uri: 'file:///ws/b.ts', range: range(10, 16) }, message: 'copy in b' },
    ]);
    assert.deepEqual(d.range, clone.range);
    const data = d.data as DiagnosticData;
    assert.equal(data.rule === 'cross-stage-duplicate' && data.data?.cloneId, 'c1');
  });

  it('applies editor severity overrides, including off', () => {
    assert.equal(
      toDiagnostic({ finding: clone }, { 'cross-stage-duplicate': 'error' })!.severity,
      DiagnosticSeverity.Error,
    );
    assert.equal(toDiagnostic({ finding: clone }, { 'cross-stage-duplicate': 'off' }), undefined);
  });

  it('gives every clone copy its own diagnostic pointing at the others', () => {
    const all = expandClones([clone]);
    assert.deepEqual(
      all.map((s) => s.finding.file),
      ['/ws/a.ts', '/ws/b.ts'],
    );
    assert.deepEqual(
      all[1].finding.related.map((r) => r.file),
      ['/ws/a.ts'],
    );
    const grouped = groupDiagnostics([clone]);
    assert.deepEqual([...grouped.keys()], [toUri('/ws/a.ts'), toUri('/ws/b.ts')]);
    // Each copy's diagnostic carries every copy, the engine's first one first (it decides where an extraction goes).
    const second = grouped.get(toUri('/ws/b.ts'))![0].data as DiagnosticData;
    assert.deepEqual(
      second.copies?.map((c) => c.file),
      ['/ws/a.ts', '/ws/b.ts'],
    );
  });

  it('reads back only the diagnostic data it wrote: a known rule, an object payload, copies as locations', () => {
    const at = (data: unknown) => ({ range: range(0, 0), message: 'm', data });
    const d = toDiagnostic({ finding: clone, copies: [{ file: '/ws/a.ts', range: range(3, 9) }] })!;
    assert.equal(diagnosticData(d)?.rule, 'cross-stage-duplicate');
    assert.equal(cloneCopies(d).length, 1);
    for (const bad of [undefined, 'x', {}, { rule: 'no-such-rule' }, { rule: 'untested-stage', data: 'scale' }]) {
      assert.equal(diagnosticData(at(bad)), undefined, JSON.stringify(bad));
    }
    assert.deepEqual(cloneCopies(at({ rule: 'duplicate-code', copies: [{ file: 1 }] })), []);
    assert.equal(
      untestedStage(at({ rule: 'untested-stage', data: { stage: 's', file: '/ws/a.ts', kind: 'folder' } }))?.stage,
      's',
    );
    assert.equal(untestedStage(at({ rule: 'unexecuted-stage', data: { stage: 's', file: '/ws/a.ts' } })), undefined);
  });

  it('locates an engine error (1-based) as a 0-based diagnostic', () => {
    const d = errorToDiagnostic(
      new EngineError('config-invalid', 'bad key', { file: '/ws/mlparity.config.json', line: 4, column: 7 }),
    );
    assert.deepEqual(d.range.start, { line: 3, character: 6 });
    assert.equal(d.code, 'config-error');
  });

  it('debounces between 300 and 800 ms by document size', () => {
    assert.equal(debounceDelay(10), 305);
    assert.equal(debounceDelay(0), 300);
    assert.equal(debounceDelay(100_000), 800);
  });

  it('matches code action kinds hierarchically', () => {
    assert.equal(kindMatches('refactor.extract', ['refactor']), true);
    assert.equal(kindMatches('refactor', ['refactor.extract']), false);
    assert.equal(kindMatches('quickfix', undefined), true);
  });

  it('finds the verify case under the cursor in the config text', () => {
    const text = '{ "verify": { "cases": [ { "name": "a", "candidate": "x" }, { "name": "b", "candidate": "y" } ] } }';
    const at = text.indexOf('"y"');
    assert.deepEqual(casesAt(text, at, at), ['b']);
    assert.deepEqual(casesAt(text, 0, 0), ['a', 'b']);
  });

  it('normalizes settings of the wrong shape to defaults', () => {
    assert.deepEqual(normalizeSettings({ run: 'sometimes', rules: 3, trace: { server: 'verbose' } }), {
      run: 'onType',
      rules: {},
      configPath: '',
      trace: { server: 'verbose' },
    });
  });
});
