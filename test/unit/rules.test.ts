import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES, RULE_IDS, ruleDocPath } from '../../server/src/engine/rules';
import { REPO_ROOT } from '../support/tmp';

// Every place outside the engine that lists the rules must agree with the registry (engine/rules.ts).
const SEVERITY_CHOICES = ['error', 'warning', 'info', 'hint', 'off'];

function readJson<T>(rel: string): T {
  return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8')) as T;
}

interface EnumProp {
  enum?: string[];
  $ref?: string;
}

describe('rule registry (engine/rules.ts)', () => {
  it('package.json mlParity.rules offers exactly the registry rules, each with every severity and off', () => {
    const pkg = readJson<{
      contributes: { configuration: { properties: Record<string, { properties?: Record<string, EnumProp> }> } };
    }>('package.json');
    const props = pkg.contributes.configuration.properties['mlParity.rules'].properties ?? {};
    assert.deepEqual(Object.keys(props).sort(), [...RULE_IDS].sort());
    for (const [id, p] of Object.entries(props)) assert.deepEqual(p.enum, SEVERITY_CHOICES, id);
  });

  it('the config schema analysis.rules lists exactly the registry rules with the severity enum', () => {
    const schema = readJson<{
      properties: { analysis: { properties: { rules: { properties: Record<string, EnumProp> } } } };
      definitions: { severity: EnumProp };
    }>('schema/mlparity.schema.json');
    const props = schema.properties.analysis.properties.rules.properties;
    assert.deepEqual(Object.keys(props).sort(), [...RULE_IDS].sort());
    for (const [id, p] of Object.entries(props)) assert.equal(p.$ref, '#/definitions/severity', id);
    assert.deepEqual(schema.definitions.severity.enum, SEVERITY_CHOICES);
  });

  it('each rule has its doc, and docs/rules holds no doc of an unknown rule', () => {
    for (const id of RULE_IDS) assert.ok(fs.existsSync(path.join(REPO_ROOT, ruleDocPath(id))), ruleDocPath(id));
    const docs = fs.readdirSync(path.join(REPO_ROOT, 'docs', 'rules')).map((f) => path.basename(f, '.md'));
    assert.deepEqual(docs.sort(), [...RULE_IDS].sort());
  });

  it("the README's rule table gives each rule its default severity", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const rows = new Map(
      [...readme.matchAll(/^\| `([a-z-]+)` \| (error|warning|info|hint) \|/gm)].map((m) => [m[1], m[2]]),
    );
    assert.deepEqual(
      Object.fromEntries([...rows].sort()),
      Object.fromEntries(RULE_IDS.map((id) => [id, RULES[id].severity]).sort()),
    );
  });
});
