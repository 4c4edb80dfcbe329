import { featurize } from './featurize';
import { loadDataset } from './load';
import { Pipeline } from './pipeline';
import { postprocess } from './postprocess';
import { predict } from './predict';
import { preprocess } from './preprocess';

const pipeline = new Pipeline<string>();

/** CSV path in, one label per clean row out. */
export const classify = pipeline
  .stage("load", loadDataset)
  .stage("preprocess", preprocess)
  .stage("featurize", featurize)
  .stage("predict", predict)
  .stage("postprocess", postprocess);

if (require.main === module) {
  classify
    .run(process.argv[2] ?? 'data/iris-like.csv')
    .then((labels) => labels.forEach((l, i) => console.log(`${i}\t${l.label}\t${l.confidence.toFixed(3)}`)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
