// The changelog page: each published package's CHANGELOG.md (written by `changeset version`), and
// before them the pending changesets as "Unreleased".
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isObject } from './spec.js';

export interface PendingChange {
  file: string;
  bumps: Record<string, string>;
  summary: string;
}

/** The changesets in `.changeset/` (every `*.md` but its README). */
export function pendingChanges(changesetDir: string): PendingChange[] {
  if (!existsSync(changesetDir)) return [];
  return readdirSync(changesetDir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(changesetDir, file), 'utf8');
      const match = /^---\n([\s\S]*?)\n?---\n?/.exec(text);
      const front: unknown = match ? parseYaml(match[1] ?? '') : undefined;
      if (!isObject(front)) throw new Error(`${path.join(changesetDir, file)}: no changeset front matter`);
      const bumps = Object.fromEntries(Object.entries(front).map(([k, v]) => [k, String(v)]));
      return { file, bumps, summary: text.slice(match?.[0].length ?? 0).trim() };
    });
}

/** Headings inside included Markdown move down so they sit under ours. */
const demote = (markdown: string, by: number) =>
  markdown.replace(/^(#{1,5}) /gm, (_m, h: string) => `${'#'.repeat(Math.min(6, h.length + by))} `);

export function changelogMarkdown(repoRoot: string, packageDirs: string[]): string {
  const out: string[] = [];
  const pending = pendingChanges(path.join(repoRoot, '.changeset'));
  out.push('## Unreleased {#unreleased}');
  if (pending.length === 0) out.push('No pending changes.');
  for (const change of pending) {
    const bumps = Object.entries(change.bumps)
      .map(([pkg, bump]) => `\`${pkg}\` ${bump}`)
      .join(', ');
    out.push(`### ${bumps}`, `<small>.changeset/${change.file}</small>`, demote(change.summary, 3));
  }
  let released = 0;
  for (const dir of packageDirs) {
    const file = path.join(repoRoot, dir, 'CHANGELOG.md');
    if (!existsSync(file)) continue;
    released++;
    // A changesets CHANGELOG starts with `# <package name>`, then `## <version>` sections.
    out.push(demote(readFileSync(file, 'utf8').trim(), 1));
  }
  if (released === 0)
    out.push("No release has been published yet: each package's `CHANGELOG.md` appears here after the first `pnpm release`.");
  return out.join('\n\n');
}
