import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = join(__dirname, '../../..');
const PACKAGE = 'packages/cdktf-infra/';

/** Module specifiers of every import/require in the repository's TypeScript files. */
function importsByFile(): [string, string[]][] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
    cwd: REPO_ROOT,
  })
    .toString()
    .split('\n')
    .filter(Boolean);
  return files.map((f) => {
    let text = '';
    try {
      text = readFileSync(join(REPO_ROOT, f), 'utf8');
    } catch {
      // deleted in the working tree
    }
    return [f, [...text.matchAll(/(?:from\s+|require\(|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1])];
  });
}

/** cdktf itself and its provider bindings: what a switch to CDK Terrain (cdktn) would touch. */
const isCdktf = (spec: string): boolean =>
  spec === 'cdktf' || spec.startsWith('cdktf/') || spec.startsWith('@cdktf/provider-');

describe('cdktf stays inside packages/cdktf-infra', () => {
  const all = importsByFile();

  it('no file outside the package imports cdktf or a cdktf provider', () => {
    const outside = all
      .filter(([f]) => !f.startsWith(PACKAGE))
      .flatMap(([f, specs]) => specs.filter(isCdktf).map((s) => `${f}: ${s}`));
    expect(outside).toEqual([]);
  });

  it('the package imports provider submodules, never the provider root barrel', () => {
    const inside = all.filter(([f]) => f.startsWith(PACKAGE));
    expect(
      inside.flatMap(([, specs]) => specs).filter((s) => s.startsWith('@cdktf/provider-aws/lib/')).length,
    ).toBeGreaterThan(5);
    const barrels = inside.flatMap(([f, specs]) =>
      specs.filter((s) => /^@cdktf\/provider-[a-z]+$/.test(s)).map((s) => `${f}: ${s}`),
    );
    expect(barrels).toEqual([]);
  });
});
