import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkCaseFiles } from '../../server/src/engine/config/caseFiles';
import { loadConfig, parseConfig } from '../../server/src/engine/config/load';
import { DEFAULT_ANALYSIS } from '../../server/src/engine/config/types';
import { EngineError } from '../../server/src/engine/errors';
import { casesFromConfig } from '../../server/src/engine/verifyCases';
import { EXAMPLE, tempDir } from '../support/tmp';

function configError(text: string): EngineError {
  try {
    parseConfig(text, '/ws/mlparity.config.json');
  } catch (e) {
    assert.ok(e instanceof EngineError);
    assert.equal(e.code, 'config-invalid');
    return e;
  }
  assert.fail('expected a config error');
}

describe('config: mlparity.config.json', () => {
  it('loads the example and resolves case paths against the config folder', () => {
    const cfg = loadConfig(EXAMPLE);
    assert.equal(cfg.file, path.join(EXAMPLE, 'mlparity.config.json'));
    const cases = casesFromConfig(cfg);
    assert.deepEqual(
      cases.map((c) => c.name),
      ['fuse-matmul-add', 'split-reduction', 'relu-to-leakyrelu'],
    );
    assert.equal(cases[0].candidate, path.join(EXAMPLE, 'models', 'classifier_fused.onnx'));
    assert.equal(cases[0].timeoutMs, 60000, 'defaults apply to every case');
    assert.deepEqual(cfg.analysis.pipelineFolders, ['src/pipeline']);
    assert.deepEqual(cfg.analysis.clones, DEFAULT_ANALYSIS.clones, 'unset analysis keys keep their defaults');
  });

  it('keeps git specs and resolves only their path part', () => {
    const cfg = parseConfig(
      '{"verify":{"cases":[{"name":"a","baseline":"git:HEAD~1:m/old.onnx","candidate":"m/new.onnx"},{"name":"b","baseline":"git:HEAD","candidate":"m/new.onnx"}]}}',
      '/ws/mlparity.config.json',
    );
    const [a, b] = casesFromConfig(cfg);
    assert.equal(a.baseline, `git:HEAD~1:${path.resolve('/ws/m/old.onnx')}`);
    assert.equal(b.baseline, 'git:HEAD');
  });

  it('no config file gives the defaults', () => {
    const cfg = loadConfig(tempDir());
    assert.equal(cfg.file, undefined);
    assert.equal(cfg.verify.cases.length, 0);
  });

  it('an unknown key is located at the key', () => {
    const e = configError('{\n  "verify": {},\n  "analysys": {}\n}');
    assert.match(e.message, /unknown key "analysys"/);
    assert.deepEqual([e.location.line, e.location.column], [3, 3]);
  });

  it('a wrong type is located at the value', () => {
    const e = configError(
      '{\n  "verify": {\n    "cases": [ { "name": "x", "candidate": "m.onnx", "count": "ten" } ]\n  }\n}',
    );
    assert.match(e.message, /verify\.cases\.0\.count: must be integer/);
    assert.equal(e.location.line, 3);
  });

  it('a bad severity names the allowed values', () => {
    const e = configError('{ "analysis": { "rules": { "untested-stage": "fatal" } } }');
    assert.match(e.message, /must be one of error, warning, info, hint, off/);
  });

  it('a missing required key and a duplicate case name are errors', () => {
    assert.match(configError('{ "verify": { "cases": [ { "name": "x" } ] } }').message, /candidate/);
    const dup = configError(
      '{ "verify": { "cases": [\n { "name": "x", "candidate": "a.onnx" },\n { "name": "x", "candidate": "b.onnx" } ] } }',
    );
    assert.match(dup.message, /duplicate case name "x"/);
    assert.equal(dup.location.line, 3);
  });

  it('invalid JSON is located', () => {
    const e = configError('{\n  "verify": { "cases": [ }\n}');
    assert.match(e.message, /invalid JSON/);
    assert.equal(e.location.line, 2);
  });
});

describe("config: static checks of the verify cases' files", () => {
  it('flags a missing model, a corrupt model and missing fixtures at their values; git specs and good files pass', () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(EXAMPLE, 'models', 'classifier.onnx'), path.join(dir, 'good.onnx'));
    fs.writeFileSync(path.join(dir, 'bad.onnx'), 'not a model');
    const text = [
      '{ "verify": { "cases": [',
      '  { "name": "a", "baseline": "good.onnx", "candidate": "missing.onnx" },',
      '  { "name": "b", "baseline": "git:HEAD", "candidate": "bad.onnx", "fixtures": "nofixtures" },',
      '  { "name": "c", "baseline": "good.onnx", "candidate": "good.onnx" }',
      '] } }',
    ].join('\n');
    const file = path.join(dir, 'mlparity.config.json');
    fs.writeFileSync(file, text);
    const findings = checkCaseFiles(loadConfig(dir), text);
    assert.deepEqual(
      findings.map((f) => [f.rule, f.range.start.line, f.data.key]),
      [
        ['model-error', 1, 'candidate'],
        ['model-error', 2, 'candidate'],
        ['model-error', 2, 'fixtures'],
      ],
    );
    assert.match(findings[0].message, /case "a": model file not found: .*missing\.onnx/);
    assert.match(findings[1].message, /not a valid ONNX model/);
    assert.equal(
      text.split('\n')[1].slice(findings[0].range.start.character, findings[0].range.end.character),
      '"missing.onnx"',
    );
  });
});
