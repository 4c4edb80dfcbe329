import { ts } from '../typescript';
import type { RawTokens } from './importStatements';

const K = ts.SyntaxKind;

/** Babel's runtime helpers, inlined at the top of every file it compiles. */
const BABEL_HELPERS = new Set([
  '_classCallCheck', '_createClass', '_defineProperties', '_defineProperty', '_inherits', '_inheritsLoose',
  '_possibleConstructorReturn', '_assertThisInitialized', '_getPrototypeOf', '_setPrototypeOf', '_createSuper',
  '_isNativeReflectConstruct', '_typeof', '_interopRequireDefault', '_interopRequireWildcard', '_getRequireWildcardCache',
  '_slicedToArray', '_toConsumableArray', '_arrayWithHoles', '_arrayWithoutHoles', '_iterableToArray', '_iterableToArrayLimit',
  '_nonIterableRest', '_nonIterableSpread', '_unsupportedIterableToArray', '_arrayLikeToArray', '_asyncToGenerator',
  'asyncGeneratorStep', '_objectSpread', '_objectSpread2', 'ownKeys', '_objectWithoutProperties', '_objectWithoutPropertiesLoose',
  '_extends', '_wrapNativeSuper', '_construct', '_isNativeFunction', '_get', '_superPropBase', '_toPropertyKey', '_toPrimitive',
  '_createForOfIteratorHelper', '_createForOfIteratorHelperLoose', '_regeneratorRuntime', '_classPrivateFieldGet',
  '_classPrivateFieldSet', '_classExtractFieldDescriptor', '_classApplyDescriptorGet', '_classApplyDescriptorSet',
]);

/**
 * Marks the helpers compilers emit into each file they down-level (tsc's `var __awaiter = (this &&
 * this.__awaiter) || function …`, Babel's `function _classCallCheck(…) {…}`), so they take part in no
 * clone: the same helper in every compiled file is not duplication anyone wrote.
 */
export function compilerHelperMask(tokens: RawTokens, mask: Uint8Array): void {
  const { kinds, starts, ends, text } = tokens;
  for (let i = 0; i + 2 < kinds.length; i++) {
    const k = kinds[i];
    if ((k !== K.VarKeyword && k !== K.FunctionKeyword) || kinds[i + 1] !== K.Identifier) continue;
    if (i > 0 && kinds[i - 1] !== K.SemicolonToken && kinds[i - 1] !== K.CloseBraceToken) continue;
    const name = text.slice(starts[i + 1], ends[i + 1]);
    const tscHelper = k === K.VarKeyword && name.startsWith('__') && kinds[i + 2] === K.EqualsToken && kinds[i + 3] === K.OpenParenToken && kinds[i + 4] === K.ThisKeyword;
    if (!tscHelper && !BABEL_HELPERS.has(name)) continue;
    const end = statementEnd(kinds, i + 2, k === K.FunctionKeyword);
    if (end < 0) continue;
    mask.fill(1, i, end);
    i = end - 1;
  }
}

/** Index after the statement starting before `from`: a function's closing brace, or the `;` at depth 0. */
function statementEnd(kinds: readonly number[], from: number, isFunction: boolean): number {
  let depth = 0;
  for (let j = from; j < kinds.length; j++) {
    const k = kinds[j];
    if (k === K.OpenBraceToken || k === K.OpenParenToken || k === K.OpenBracketToken) depth++;
    else if (k === K.CloseBraceToken || k === K.CloseParenToken || k === K.CloseBracketToken) {
      depth--;
      if (depth < 0) return -1;
      if (depth === 0 && isFunction && k === K.CloseBraceToken) return j + 1;
    } else if (k === K.SemicolonToken && depth === 0) return j + 1;
  }
  return -1;
}
