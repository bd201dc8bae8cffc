// What a sample declares about itself: its first line names the operation it shows, `// operation: <operationId>`.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const HEADER = /^\/\/ operation: ([A-Za-z0-9_]+)\s*$/;

export interface SampleMeta {
  file: string;
  /** The file name, e.g. `generate.ts`. */
  name: string;
  operationId: string;
  source: string;
}

/** Reads a sample; throws one line naming the file when its first line declares no operation. */
export function readSample(file: string): SampleMeta {
  const source = readFileSync(file, 'utf8');
  const match = HEADER.exec(source.split('\n', 1)[0] ?? '');
  if (!match?.[1]) throw new Error(`${file}:1: a sample's first line must be "// operation: <operationId>"`);
  return { file, name: path.basename(file), operationId: match[1], source };
}
