// What the UI passes add to their copy of the example workspace so the report view has task metrics and a located
// divergence to show: a case accepted by task metrics, and the divergence search on the failing case.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Relu → LeakyRelu judged by what the classifier is for: it fails elementwise, but the top class never changes. */
export const ACCEPTED_CASE = 'leaky-by-task-metrics';
/** The example's failing case, verified with `locate: true`. */
export const LOCATED_CASE = 'relu-to-leakyrelu';

interface ConfigCase {
  name: string;
  locate?: boolean;
  [key: string]: unknown;
}

/** Edits `ws`'s mlparity.config.json (before copyWorkspace commits it). */
export function addReportCases(ws: string): void {
  const file = path.join(ws, 'mlparity.config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { verify: { cases: ConfigCase[] } };
  const failing = config.verify.cases.find((c) => c.name === LOCATED_CASE);
  if (!failing) throw new Error(`${file}: no case '${LOCATED_CASE}' to locate`);
  failing.locate = true;
  config.verify.cases.push({
    name: ACCEPTED_CASE,
    baseline: 'models/classifier.onnx',
    candidate: 'models/classifier_leaky.onnx',
    fixtures: 'fixtures/classifier',
    accept: { top1: 0.99, cosine: 0.999 },
  });
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
}
