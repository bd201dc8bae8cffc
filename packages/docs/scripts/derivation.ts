// Before anything is rendered: every sample and guide must be about operations the spec still has.
// A stale one stops the build with one line naming the file (deleting it is the one hand edit allowed).
import path from 'node:path';
import { readSample, type SampleMeta } from './sample-meta.js';
import { type JsonObject, operations } from './spec.js';

/** The operationIds a guide's text names: its front matter `operations: [...]` and every directive argument that is one. */
export function guideOperations(markdown: string): string[] {
  const found = new Set<string>();
  const front = /^---\n([\s\S]*?)\n---\n/.exec(markdown)?.[1] ?? '';
  const list = /^operations:\s*\[([^\]]*)\]/m.exec(front)?.[1];
  for (const id of list?.split(',') ?? []) if (id.trim()) found.add(id.trim());
  for (const [, kind, arg] of markdown.matchAll(/<!--\s*(route|ref|events|operation):\s*([A-Za-z0-9_]+)\s*-->/g))
    if (kind && arg) found.add(arg);
  return [...found];
}

/** Throws one line naming the first file about an operation the spec does not have. */
export function checkDerivation(doc: JsonObject, sampleFiles: string[], guides: Array<{ file: string; markdown: string }>): SampleMeta[] {
  const known = new Set(operations(doc).map((op) => op.operationId));
  const samples = sampleFiles.map(readSample);
  for (const s of samples)
    if (!known.has(s.operationId))
      throw new Error(`${s.file}:1: shows operation ${s.operationId}, which the spec no longer has — delete the sample`);
  for (const g of guides)
    for (const id of guideOperations(g.markdown))
      if (!known.has(id))
        throw new Error(`${g.file}: is about operation ${id}, which the spec no longer has — delete the guide or that part of it`);
  return samples;
}

export const relative = (file: string) => path.relative(process.cwd(), file) || file;
