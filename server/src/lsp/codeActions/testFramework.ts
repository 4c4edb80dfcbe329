import * as fs from 'node:fs';
import * as path from 'node:path';

/** The test runners a generated test can target. */
export type TestFramework = 'vitest' | 'jest' | 'mocha' | 'node:test';

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

/** Reads the runner from package.json deps and the test script; node:test when nothing else is named. */
export function detectFramework(pkg: PackageJson | undefined): TestFramework {
  const deps = { ...pkg?.dependencies, ...pkg?.devDependencies };
  const script = pkg?.scripts?.test ?? '';
  if ('vitest' in deps || /\bvitest\b/.test(script)) return 'vitest';
  if ('jest' in deps || /\bjest\b/.test(script)) return 'jest';
  if ('mocha' in deps || /\bmocha\b/.test(script)) return 'mocha';
  return 'node:test';
}

export function readPackageJson(root: string): PackageJson | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** What the generated test must call: a function stage or a class stage. */
export interface TestTarget {
  /** Exported name. */
  name: string;
  /** Module specifier relative to the test file. */
  specifier: string;
  /** Argument expressions. */
  args: string[];
  isClass: boolean;
  isAsync: boolean;
  returnsValue: boolean;
  /** `@jest/globals` is installed: import the globals instead of relying on @types/jest. */
  jestGlobals?: boolean;
}

function callLines(t: TestTarget, indent: string): string[] {
  const call = `${t.isClass ? 'new ' : ''}${t.isAsync ? 'await ' : ''}${t.name}(${t.args.join(', ')})`;
  return t.returnsValue || t.isClass ? [`${indent}const result = ${call};`] : [`${indent}${call};`];
}

/** The whole test file for one stage. */
export function renderTest(framework: TestFramework, t: TestTarget): string {
  const asyncKw = t.isAsync ? 'async ' : '';
  const body = callLines(t, '    ');
  const expectResult = t.returnsValue || t.isClass;
  const imports: string[] = [];
  let assertion = '';
  switch (framework) {
    case 'vitest':
      imports.push(`import { describe, expect, it } from 'vitest';`);
      assertion = 'expect(result).toBeDefined();';
      break;
    case 'jest':
      if (t.jestGlobals) imports.push(`import { describe, expect, it } from '@jest/globals';`);
      assertion = 'expect(result).toBeDefined();';
      break;
    case 'mocha':
      imports.push(`import { strict as assert } from 'node:assert';`);
      assertion = 'assert.notEqual(result, undefined);';
      break;
    case 'node:test':
      imports.push(`import { describe, it } from 'node:test';`, `import { strict as assert } from 'node:assert';`);
      assertion = 'assert.notEqual(result, undefined);';
      break;
  }
  imports.push(`import { ${t.name} } from '${t.specifier}';`);
  if (expectResult) body.push(`    ${assertion}`);
  return [
    ...imports,
    '',
    `describe('${t.name}', () => {`,
    `  it('runs on a sample input', ${asyncKw}() => {`,
    ...body,
    '  });',
    '});',
    '',
  ].join('\n');
}
