import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changelogMarkdown, pendingChanges } from './changelog.js';

const root = mkdtempSync(path.join(tmpdir(), 'imagegen-changelog-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(path.join(root, '.changeset'));
mkdirSync(path.join(root, 'pkg'));
writeFileSync(path.join(root, '.changeset', 'README.md'), '# not a changeset\n');
writeFileSync(
  path.join(root, '.changeset', 'brave-cats.md'),
  '---\n"@scope/a": major\n"@scope/b": minor\n---\n\nBreaking: `x` is gone.\n\n## Migrate\n\nUse `y`.\n',
);

describe('changelog page', () => {
  it('renders pending changesets as Unreleased, with their bumps', () => {
    expect(pendingChanges(path.join(root, '.changeset'))).toEqual([
      {
        file: 'brave-cats.md',
        bumps: { '@scope/a': 'major', '@scope/b': 'minor' },
        summary: 'Breaking: `x` is gone.\n\n## Migrate\n\nUse `y`.',
      },
    ]);
    const page = changelogMarkdown(root, ['pkg']);
    expect(page).toContain('## Unreleased');
    expect(page).toContain('### `@scope/a` major, `@scope/b` minor');
    expect(page).toContain('##### Migrate');
    expect(page).toContain('No release has been published yet');
  });

  it('includes each package CHANGELOG.md under it', () => {
    writeFileSync(path.join(root, 'pkg', 'CHANGELOG.md'), '# @scope/a\n\n## 1.0.0\n\n### Major Changes\n\n- x is gone\n');
    const page = changelogMarkdown(root, ['pkg']);
    expect(page).toContain('## @scope/a\n\n### 1.0.0\n\n#### Major Changes');
    expect(page).not.toContain('No release has been published yet');
  });
});
