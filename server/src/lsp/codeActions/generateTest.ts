import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver/node';
import { Node, type SourceFile, type Type } from 'ts-morph';
import { toUri } from '../convert';
import { untestedStage } from './diagnosticData';
import { sampleValue } from './sampleValues';
import { detectFramework, readPackageJson, renderTest, type TestTarget } from './testFramework';
import { loadProject, moduleSpecifier, usesJsExtensions } from './tsProject';
import { lazyAction, type CodeActionContext, type CodeActionProvider } from './types';

const TEST_DIRS = ['test', 'tests', '__tests__'];

/** Where the test goes: the workspace's test folder if it has one, else beside the stage. */
function testFilePath(root: string, stageFile: string, stage: string): string {
  const dir = TEST_DIRS.map((d) => path.join(root, d)).find((d) => fs.existsSync(d)) ?? path.dirname(stageFile);
  const ext = /\.[cm]?js$|\.jsx$/.test(stageFile) ? '.js' : '.ts';
  const base = path.basename(stageFile).replace(/\.[^.]+$/, '');
  const first = path.join(dir, `${base}.test${ext}`);
  return fs.existsSync(first) ? path.join(dir, `${base}.${stage}.test${ext}`) : first;
}

interface Callable {
  params: { type: Type; node: Node }[];
  isClass: boolean;
  returnType?: Type;
}

// The exported declaration named `name`, as something we can call or construct.
function findCallable(source: SourceFile, name: string): Callable | undefined {
  const decl = source.getExportedDeclarations().get(name)?.[0];
  if (!decl) return undefined;
  if (Node.isClassDeclaration(decl)) {
    const ctor = decl.getConstructors()[0];
    return {
      isClass: true,
      params: (ctor?.getParameters() ?? []).filter((p) => !p.isOptional()).map((p) => ({ type: p.getType(), node: p })),
    };
  }
  const fn = Node.isVariableDeclaration(decl) ? decl.getInitializer() : decl;
  if (!fn || !(Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)))
    return undefined;
  return {
    isClass: false,
    params: fn
      .getParameters()
      .filter((p) => !p.isOptional() && !p.hasInitializer())
      .map((p) => ({ type: p.getType(), node: p })),
    returnType: fn.getReturnType(),
  };
}

function testTitle(root: string, stage: string, target: string): string {
  return `Generate a test for stage '${stage}' (${path.relative(root, target)})`;
}

/** Builds the test for one untested-stage diagnostic, or undefined when the stage cannot be imported. */
function buildTestAction(ctx: CodeActionContext, d: Diagnostic): CodeAction | undefined {
  const about = untestedStage(d);
  if (!about || !ctx.capabilities.createFiles) return undefined;
  const { stage, file: stageFile } = about;
  const root = ctx.folder.root;
  const { sources } = loadProject(root, [stageFile], ctx.readText);
  const source = sources[0];
  const callable = source && findCallable(source, stage);
  if (!source || !callable) return undefined;
  const target = testFilePath(root, stageFile, stage);
  const typed = target.endsWith('.ts');
  const placeholder = callable.isClass ? 'ConstructorParameters' : 'Parameters';
  const args = callable.params.map(
    (p, i) =>
      sampleValue(p.type) ?? (typed ? `undefined as unknown as ${placeholder}<typeof ${stage}>[${i}]` : 'undefined'),
  );
  const ret = callable.returnType;
  const isAsync = !!ret && ret.getSymbol()?.getName() === 'Promise';
  const returnsValue = !!ret && !ret.isVoid() && !(isAsync && ret.getTypeArguments()[0]?.isVoid());
  const pkg = readPackageJson(root);
  const testTarget: TestTarget = {
    name: stage,
    specifier: moduleSpecifier(target, stageFile, usesJsExtensions(source)),
    args,
    isClass: callable.isClass,
    isAsync,
    returnsValue,
    jestGlobals: !!pkg && '@jest/globals' in { ...pkg.dependencies, ...pkg.devDependencies },
  };
  const uri = toUri(target);
  return {
    title: testTitle(root, stage, target),
    kind: CodeActionKind.QuickFix,
    diagnostics: [d],
    edit: {
      documentChanges: [
        { kind: 'create', uri, options: { overwrite: false, ignoreIfExists: true } },
        {
          textDocument: { uri, version: null },
          edits: [
            {
              range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
              newText: renderTest(detectFramework(pkg), testTarget),
            },
          ],
        },
      ],
    },
  };
}

/** "Generate a test" for untested-stage findings. */
export const generateTestProvider: CodeActionProvider = {
  id: 'generateTest',
  kinds: [CodeActionKind.QuickFix],
  provide(ctx: CodeActionContext): CodeAction[] {
    const untested = ctx.diagnostics.filter((d) => untestedStage(d));
    // Reading the stage's signature needs a ts-morph project: a client that resolves gets it on demand.
    if (ctx.capabilities.resolveEdits) {
      if (!ctx.capabilities.createFiles) return [];
      return untested.flatMap((d) => {
        const about = untestedStage(d);
        if (!about) return [];
        const { stage, file } = about;
        const target = testFilePath(ctx.folder.root, file, stage);
        return [
          lazyAction('generateTest', ctx, d, {
            title: testTitle(ctx.folder.root, stage, target),
            kind: CodeActionKind.QuickFix,
          }),
        ];
      });
    }
    return untested.map((d) => buildTestAction(ctx, d)).filter((a): a is CodeAction => !!a);
  },
  resolve(ctx, d) {
    return (
      buildTestAction(ctx, d)?.edit ??
      `stage '${untestedStage(d)?.stage ?? '?'}' is not an exported function or class that a test can import`
    );
  },
};
