import { describe, expect, it } from 'vitest';
import { exampleCluster as example } from '@lolice/node-model';
import {
  ACTION_PINS,
  checkWorkflowPolicy,
  PACKER_DIR,
  render,
  renderBuildWorkflow,
  usesOf,
  type Job,
  type Step,
  type Workflow,
} from '../src';

/** A workflow with one job of the given steps and permissions (null: none declared): the smallest thing the policy judges. */
const oneJob = (steps: Step[], permissions: Job['permissions'] | null = { contents: 'read' }): Workflow => ({
  name: 'bad',
  on: { push: {} },
  permissions: { contents: 'read' },
  defaults: { run: { shell: 'bash' } },
  jobs: {
    only: {
      name: 'only',
      'runs-on': 'ubuntu-24.04',
      permissions: (permissions ?? undefined) as Job['permissions'],
      'timeout-minutes': 5,
      steps,
    },
  },
});
const rules = (w: Workflow) => checkWorkflowPolicy(w).map((v) => `${v.where} ${v.rule}`);

describe('the workflow policy on the generated workflows', () => {
  it.each(render(example).map((w) => [w.path, w.workflow] as const))('%s has no violation', (_path, workflow) => {
    expect(checkWorkflowPolicy(workflow)).toEqual([]);
  });
});

describe('the workflow policy catches', () => {
  it.each([
    ['a tag', 'actions/checkout@v4'],
    ['a branch', 'actions/checkout@main'],
    ['a short SHA', 'actions/checkout@3d3c42e'],
    ['an upper-case SHA', `actions/checkout@${ACTION_PINS.checkout.sha.toUpperCase()}`],
  ])('an action pinned to %s', (_what, uses) => {
    expect(rules(oneJob([{ name: 'x', uses }]))).toEqual(['jobs.only.steps[0] pinned-action']);
  });

  it.each([
    '${{ inputs.node_name }}',
    '${{ github.event.pull_request.title }}',
    '${{ matrix.node }}',
    '${{github.head_ref}}',
  ])('the expression %s inside run:', (expression) => {
    const violations = checkWorkflowPolicy(oneJob([{ name: 'x', run: `echo "${expression}"\n` }]));
    expect(violations).toEqual([
      {
        where: 'jobs.only.steps[0]',
        rule: 'no-expression-in-run',
        message: `${expression} inside run: pass it through env: instead`,
      },
    ]);
  });

  it('but not the same expression passed through env:', () => {
    expect(rules(oneJob([{ name: 'x', env: { NODE: '${{ inputs.node_name }}' }, run: 'echo "${NODE}"\n' }]))).toEqual(
      [],
    );
  });

  it('a job without permissions', () => {
    expect(rules(oneJob([{ name: 'x', run: 'true\n' }], null))).toEqual(['jobs.only job-permissions']);
  });

  it('write permissions the job does not need, id-token: write without AWS among them', () => {
    expect(rules(oneJob([{ name: 'x', run: 'true\n' }], { contents: 'write', 'id-token': 'write' }))).toEqual([
      'jobs.only.permissions least-permissions',
      'jobs.only.permissions least-permissions',
    ]);
    const aws = { name: 'aws', uses: usesOf(ACTION_PINS.configureAwsCredentials) };
    expect(rules(oneJob([aws], { contents: 'read', 'id-token': 'write' }))).toEqual([]);
  });

  it('attestations: write only in a job that attests (which may also mint an OIDC token)', () => {
    const aws = { name: 'aws', uses: usesOf(ACTION_PINS.configureAwsCredentials) };
    expect(rules(oneJob([aws], { contents: 'read', 'id-token': 'write', attestations: 'write' }))).toEqual([
      'jobs.only.permissions least-permissions',
    ]);
    const attest = { name: 'attest', uses: usesOf(ACTION_PINS.attestBuildProvenance) };
    expect(rules(oneJob([attest], { contents: 'read', 'id-token': 'write', attestations: 'write' }))).toEqual([]);
  });

  it('a build piped through tee without pipefail', () => {
    expect(rules(oneJob([{ name: 'x', run: 'packer build . | tee build.log\n' }]))).toEqual([
      'jobs.only.steps[0] pipefail-with-tee',
    ]);
  });

  it("an image uploaded as a GitHub artifact (its pin does not matter; only a failed build's logs may be one)", () => {
    const upload = (w: Record<string, string | number>, condition?: string) =>
      rules(oneJob([{ name: 'x', uses: `actions/upload-artifact@${'a'.repeat(40)}`, if: condition, with: w }]));
    expect(upload({ path: 'packer/x86_64/output-a/a.img', 'retention-days': 1 }, 'failure()')).toEqual([
      'jobs.only.steps[0] logs-only-artifacts',
    ]);
    expect(upload({ path: '${{ runner.temp }}/build-logs', 'retention-days': 7 })).toEqual([
      'jobs.only.steps[0] logs-only-artifacts',
    ]);
    expect(upload({ path: '${{ runner.temp }}/build-logs', 'retention-days': 7 }, 'failure()')).toEqual([]);
  });

  it('GIVEN the generated build workflow with one step changed THEN exactly that step is reported', () => {
    const good = renderBuildWorkflow(example);
    const steps = good.jobs.build.steps.map((s) =>
      s.name === 'packer build'
        ? { ...s, run: `packer build -var "node_name=\${{ matrix.node }}" ${PACKER_DIR}\n` }
        : s,
    );
    const bad: Workflow = { ...good, jobs: { ...good.jobs, build: { ...good.jobs.build, steps } } };
    const index = steps.findIndex((s) => s.name === 'packer build');
    expect(rules(bad)).toEqual([`jobs.build.steps[${index}] no-expression-in-run`]);
  });
});
