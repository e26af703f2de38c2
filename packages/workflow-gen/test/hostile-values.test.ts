import { describe, expect, it } from 'vitest';
import { exampleCluster as example, ModelValidationError, workers, type Cluster } from '@lolice/node-model';
import { variant } from '../../../test/lib/model';
import { readByPyYaml, readByYamlLibrary, YAML_MISREAD } from '../../../test/lib/yaml-readers';
import {
  ALL_NODES,
  checkWorkflowLimits,
  expressionString,
  MAX_MATRIX_JOBS,
  render,
  WORKFLOW_PATHS,
  type Workflow,
} from '../src';
import { actionlint } from './lib/linters';

/**
 * The workflows hold model values as literal text, whatever they are: each value reaches YAML (read
 * by GitHub, and by YAML 1.1 tools) and the branch reaches GitHub's expressions. The models here
 * are not validated: the generator must hold up on its own.
 */
const rendered = (c: Cluster) => Object.fromEntries(render(c).map((w) => [w.path, w]));

/** The example model with one worker per name, each a copy of its first worker under that name. */
const withWorkersNamed = (names: readonly string[]): Cluster =>
  variant(example, (c) => {
    const first = c.nodes.find((n) => n.role === 'worker')!;
    c.nodes = [...c.nodes.filter((n) => n.role !== 'worker'), ...names.map((name) => ({ ...first, name }))];
  });

describe('node names a YAML 1.1 reader would misread', () => {
  const model = withWorkersNamed(YAML_MISREAD);
  const names = workers(model).map((n) => n.name);

  it.each(render(model).map((w) => [w.path, w] as const))(
    'come back as the same strings from %s, for PyYAML and the yaml library under YAML 1.1 and 1.2',
    (path, w) => {
      expect(names).toEqual([...YAML_MISREAD]);
      for (const read of [readByPyYaml(w.yaml), ...Object.values(readByYamlLibrary(w.yaml))] as Workflow[]) {
        expect(Object.keys(read), path).toEqual(Object.keys(w.workflow));
        if (path === WORKFLOW_PATHS.build) {
          const inputs = (read.on.workflow_dispatch as { inputs: { node_name: { options: unknown[] } } }).inputs;
          expect(inputs.node_name.options).toEqual([ALL_NODES, ...names]);
          expect(JSON.parse(read.jobs.plan.steps[0].env!.WORKERS)).toEqual(names);
        } else {
          expect(read.jobs['packer-validate'].strategy?.matrix.node).toEqual(names);
        }
      }
    },
  );

  it('the "on" key of each workflow is the string "on" for a YAML 1.1 reader, not true', () => {
    for (const w of render(example)) expect(Object.keys(readByPyYaml(w.yaml) as object)).toContain('on');
  });
});

describe('the branch in GitHub expressions and branch filters', () => {
  /** The one expression of the publishing steps' `if`: `github.ref == '<literal>'`, its literal unescaped. */
  const literalOf = (condition: string): string | undefined => {
    const m = /^github\.ref == '((?:[^']|'')*)'$/.exec(condition);
    return m ? m[1].replace(/''/g, "'") : undefined;
  };
  const publishing = (w: Workflow) => w.jobs.build.steps.filter((s) => s.if?.startsWith('github.ref'));

  it.each([`${example.aws.branch}'||'x`, "'", "a''b", `${example.aws.branch}' || true || '`])(
    "GIVEN the branch %j THEN each publishing step's condition compares github.ref with one literal, the branch's ref",
    (branch) => {
      const model = variant(example, (c) => (c.aws.branch = branch));
      const build = rendered(model)[WORKFLOW_PATHS.build];
      expect(publishing(build.workflow).length).toBeGreaterThan(0);
      for (const s of publishing(build.workflow)) expect(literalOf(s.if!), s.name).toBe(`refs/heads/${branch}`);
      const read = readByPyYaml(build.yaml) as Workflow;
      for (const s of publishing(read)) expect(literalOf(s.if!), s.name).toBe(`refs/heads/${branch}`);
    },
  );

  it.each(['release/*', 'release/**', 'v1.0+hotfix', 'a?b', '!main', 'a[0-9]', 'a\\b'])(
    "GIVEN the branch %j THEN ci.yml's branch filters match that branch only (special characters escaped)",
    (branch) => {
      const ci = rendered(variant(example, (c) => (c.aws.branch = branch)))[WORKFLOW_PATHS.ci];
      const read = readByPyYaml(ci.yaml) as { on: Record<string, { branches: string[] }> };
      for (const event of ['push', 'pull_request']) {
        const [filter] = read.on[event].branches;
        // GitHub's filter syntax: a special character preceded by \ matches itself
        expect(filter.replace(/\\(.)/g, '$1'), event).toBe(branch);
        expect(filter.replace(/\\./g, ''), event).not.toMatch(/[*?+[\]!\\]/);
      }
    },
  );

  it('expressionString doubles quotes, the only escape of the expression syntax', () => {
    expect(expressionString("a'b")).toBe("'a''b'");
    expect(expressionString('plain')).toBe("'plain'");
  });

  it('actionlint finds nothing in the workflows of a branch with a quote', async () => {
    const model = variant(example, (c) => (c.aws.branch = `${example.aws.branch}'x`));
    for (const w of render(model)) expect(await actionlint(w.yaml, w.path), w.path).toEqual([]);
  });
});

describe("GitHub's 256 jobs per matrix", () => {
  /** The example model with `n` workers in all: copies of its first worker under new names. */
  const withWorkers = (n: number): Cluster =>
    variant(example, (c) => {
      const [first, ...rest] = c.nodes.filter((x) => x.role === 'worker');
      const others = c.nodes.filter((x) => x.role !== 'worker');
      const extra = Array.from({ length: n - 1 - rest.length }, (_, i) => ({ ...first, name: `${first.name}-${i}` }));
      c.nodes = [...others, first, ...rest, ...extra];
    });

  it(`accepts ${MAX_MATRIX_JOBS} workers: every matrix has ${MAX_MATRIX_JOBS} jobs`, () => {
    const model = withWorkers(MAX_MATRIX_JOBS);
    expect(workers(model)).toHaveLength(256);
    expect(checkWorkflowLimits(model)).toEqual([]);
    expect(rendered(model)[WORKFLOW_PATHS.ci].workflow.jobs['packer-validate'].strategy?.matrix.node).toHaveLength(256);
  });

  it(`refuses ${MAX_MATRIX_JOBS + 1} workers in one line naming the limit and the number, and render throws it`, () => {
    const model = withWorkers(MAX_MATRIX_JOBS + 1);
    const issues = checkWorkflowLimits(model);
    expect(issues).toEqual([{ path: 'nodes', rule: 'matrix-jobs', message: expect.any(String) }]);
    expect(issues[0].message).toMatch(
      /^257 workers make matrices of 257 jobs \(.*\); GitHub runs at most 256 jobs per matrix$/,
    );
    expect(issues[0].message).toContain(WORKFLOW_PATHS.ci);
    expect(issues[0].message).toContain(WORKFLOW_PATHS.build);
    expect(() => render(model)).toThrow(ModelValidationError);
  });
});
