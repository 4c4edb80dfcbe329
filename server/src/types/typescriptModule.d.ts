// The TypeScript compiler module that ts-morph bundles, required on its own: the analysis needs only the
// compiler API, and skipping ts-morph's wrapper library saves ~70 ms of start-up in every CLI run. The
// runtime file sets `module.exports` to the `ts` namespace that `lib/typescript.d.ts` declares.
declare module '@ts-morph/common/dist/typescript.js' {
  import { ts } from '@ts-morph/common/lib/typescript';
  export = ts;
}
