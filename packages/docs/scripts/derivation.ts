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
  for (const [, kind, arg] of markdown.matchAll(/<!--\s*(route|ref|method|events|operation):\s*([A-Za-z0-9_]+)\s*-->/g))
    if (kind && arg) found.add(arg);
  return [...found];
}

/**
 * Throws when a sample or guide is about an operation the spec does not have: one line per such file (all of them, so
 * one run names every file to delete). A sample without its operation line is named the same way.
 */
export function checkDerivation(doc: JsonObject, sampleFiles: string[], guides: Array<{ file: string; markdown: string }>): SampleMeta[] {
  const known = new Set(operations(doc).map((op) => op.operationId));
  const problems: string[] = [];
  const samples: SampleMeta[] = [];
  for (const file of sampleFiles) {
    try {
      const s = readSample(file);
      samples.push(s);
      if (!known.has(s.operationId))
        problems.push(`${s.file}:1: shows operation ${s.operationId}, which the spec no longer has — delete the sample`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  for (const g of guides) {
    const gone = guideOperations(g.markdown).filter((id) => !known.has(id));
    if (gone.length)
      problems.push(`${g.file}: is about operation ${gone.join(', ')}, which the spec no longer has — delete the guide or that part of it`);
  }
  if (problems.length) throw new Error(problems.join('\n'));
  return samples;
}

export const relative = (file: string) => path.relative(process.cwd(), file) || file;
