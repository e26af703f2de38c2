import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGES } from '../../projenrc/packages';
import { SCOPE } from '../../projenrc/workspace-package';
import { REPO_ROOT } from '../lib/model';

/** Module specifiers of every import of the tracked and new TypeScript files under `dir`. */
function importsUnder(dir: string): [string, string[]][] {
  const files = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '--', `${dir}/*.ts`, `${dir}/**/*.ts`],
    { cwd: REPO_ROOT },
  )
    .toString()
    .split('\n')
    .filter(Boolean);
  return [...new Set(files)].map((f) => {
    let text = '';
    try {
      text = readFileSync(join(REPO_ROOT, f), 'utf8');
    } catch {
      // deleted in the working tree
    }
    return [f, [...text.matchAll(/(?:from\s+|import\s+|require\(|import\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1])];
  });
}

const scoped = (spec: string): string | undefined =>
  spec.startsWith(`${SCOPE}/`) ? spec.slice(SCOPE.length + 1) : undefined;

describe('layers: packages render, projenrc/ wires', () => {
  it("finds the packages' files", () => {
    expect(importsUnder('packages').length).toBeGreaterThan(PACKAGES.length * 3);
  });

  it('no file of a package (sources or tests) imports from projenrc/', () => {
    const found = importsUnder('packages').flatMap(([f, specs]) =>
      specs.filter((s) => /(^|\/)projenrc(\/|$)/.test(s)).map((s) => `${f}: ${s}`),
    );
    expect(found).toEqual([]);
  });

  it("each package's sources import only the workspace packages it declares", () => {
    const undeclared = PACKAGES.flatMap(({ name, workspaceDeps = [] }) =>
      importsUnder(`packages/${name}/src`).flatMap(([f, specs]) =>
        specs
          .map(scoped)
          .filter((dep): dep is string => dep !== undefined && !workspaceDeps.includes(dep))
          .map((dep) => `${f}: ${SCOPE}/${dep}`),
      ),
    );
    expect(undeclared).toEqual([]);
  });

  it('the workspace packages depend on each other without a cycle', () => {
    const deps = new Map(PACKAGES.map((p) => [p.name, p.workspaceDeps ?? []]));
    const done = new Set<string>();
    const visit = (name: string, path: readonly string[]): string[] => {
      if (path.includes(name)) return [[...path, name].join(' -> ')];
      if (done.has(name)) return [];
      const cycles = (deps.get(name) ?? []).flatMap((d) => visit(d, [...path, name]));
      done.add(name);
      return cycles;
    };
    expect(PACKAGES.flatMap((p) => visit(p.name, []))).toEqual([]);
    for (const [name, ds] of deps) for (const d of ds) expect(deps.has(d), `${name} -> ${d}`).toBe(true);
  });

  it('projenrc/ reaches the packages through their index only, never their files', () => {
    const deep = importsUnder('projenrc').flatMap(([f, specs]) =>
      specs.filter((s) => /packages\/|^@lolice\/[^/]+\/./.test(s)).map((s) => `${f}: ${s}`),
    );
    expect(deep).toEqual([]);
  });
});
