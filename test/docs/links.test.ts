/** Every relative link of the documentation points to a file or directory that exists. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkTargets, relativeTarget } from '../lib/markdown';
import { REPO_ROOT } from '../lib/repo-copy';

const mdIn = (dir: string): string[] =>
  readdirSync(join(REPO_ROOT, dir))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `${dir}/${f}`);

/** README.md, docs/*.md, test/README.md and every packages/<name>/README.md. */
export const DOC_FILES: string[] = [
  'README.md',
  ...mdIn('docs'),
  'test/README.md',
  ...readdirSync(join(REPO_ROOT, 'packages'))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(join(REPO_ROOT, f))),
];

describe('relative links of the documentation', () => {
  it('finds the documentation and its links (the check below is not empty)', () => {
    expect(DOC_FILES).toContain('docs/model.md');
    expect(
      linkTargets(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'))
        .map(relativeTarget)
        .filter(Boolean).length,
    ).toBeGreaterThan(5);
  });

  it.each(DOC_FILES)('%s links only to paths that exist', (file) => {
    const targets = linkTargets(readFileSync(join(REPO_ROOT, file), 'utf8'))
      .map(relativeTarget)
      .filter((t): t is string => t !== undefined && t !== '');
    const missing = targets.filter((t) => !existsSync(join(REPO_ROOT, dirname(file), t)));
    expect(missing.map((t) => `${t} (${relative(REPO_ROOT, join(REPO_ROOT, dirname(file), t))})`)).toEqual([]);
  });
});

describe('the link reader', () => {
  it('skips URLs, anchors and code, and keeps a relative link without its anchor', () => {
    const md = '[a](https://x.example) [b](#top) `[c](nope.md)`\n```\n[d](nope.md)\n```\n[e](docs/x.md#y)';
    expect(linkTargets(md).map(relativeTarget).filter(Boolean)).toEqual(['docs/x.md']);
  });
});
