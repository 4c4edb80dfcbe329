import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { EngineError } from '../errors';

function tensorLocation(t: onnx.ITensorProto | null | undefined, out: Set<string>): void {
  if (!t || t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) return;
  const location = t.externalData?.find((e) => e.key === 'location')?.value;
  if (location) out.add(location);
}

function sparseLocation(s: onnx.ISparseTensorProto | null | undefined, out: Set<string>): void {
  tensorLocation(s?.values, out);
  tensorLocation(s?.indices, out);
}

function graphLocations(g: onnx.IGraphProto | null | undefined, out: Set<string>): void {
  if (!g) return;
  for (const t of g.initializer ?? []) tensorLocation(t, out);
  for (const s of g.sparseInitializer ?? []) sparseLocation(s, out);
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      tensorLocation(a.t, out);
      for (const t of a.tensors ?? []) tensorLocation(t, out);
      sparseLocation(a.sparseTensor, out);
      for (const s of a.sparseTensors ?? []) sparseLocation(s, out);
      graphLocations(a.g, out); // Loop/If/Scan bodies may hold weights too
      for (const sub of a.graphs ?? []) graphLocations(sub, out);
    }
  }
}

/**
 * The external data files a model references (ONNX `location` entries, relative to the model's folder),
 * normalised with forward slashes. A location that is absolute or leaves the model's folder is refused:
 * it could not be read at a git revision, and onnxruntime refuses it too.
 */
export function externalDataFiles(model: onnx.IModelProto, file: string): string[] {
  const found = new Set<string>();
  graphLocations(model.graph, found);
  for (const f of model.functions ?? []) {
    for (const n of f.node ?? []) for (const a of n.attribute ?? []) tensorLocation(a.t, found);
  }
  return [...found].map((loc) => {
    const norm = path.posix.normalize(loc.split(path.sep).join('/'));
    if (path.posix.isAbsolute(norm) || path.win32.isAbsolute(loc) || norm === '..' || norm.startsWith('../')) {
      throw new EngineError('model-load-failed', `external data location "${loc}" is outside the model's folder`, { file });
    }
    return norm;
  });
}
