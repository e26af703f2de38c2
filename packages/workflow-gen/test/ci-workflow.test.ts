import { describe, expect, it } from 'vitest';
import { exampleCluster as example, imageWorkerNodes } from '@lolice/node-model';
import { withNewWorker } from '../../../test/lib/model';
import { ACTION_PINS, PACKER_DIR, renderCiWorkflow, TERRAFORM_DIR, TEST_COMMAND, TOOL_VERSIONS, usesOf } from '../src';
import { job, step } from './lib/fixtures';

const workflow = renderCiWorkflow(example);
const workerNames = imageWorkerNodes(example).map((n) => n.name);

describe('ci: triggers and permissions', () => {
  it("runs on pull requests and on pushes to the model's branch", () => {
    const { branch } = example.aws;
    expect(workflow.on).toEqual({ pull_request: { branches: [branch] }, push: { branches: [branch] } });
  });

  it('gives every job a read-only token and a timeout', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [id, j] of Object.entries(workflow.jobs)) {
      expect(j.permissions, id).toEqual({ contents: 'read' });
      expect(j['timeout-minutes'], id).toBeGreaterThan(0);
    }
  });
});

describe('ci: jobs', () => {
  it("runs the README's test command (which starts with the drift check) on a pinned Node.js", () => {
    const test = job(workflow, 'test');
    expect(TEST_COMMAND).toBe('npm ci && npx projen test');
    expect(step(test, 'Run the test command').run).toBe(`${TEST_COMMAND}\n`);
    expect(step(test, 'Set up Node.js').uses).toBe(usesOf(ACTION_PINS.setupNode));
  });

  it('validates the Packer templates for every worker with a throwaway password', () => {
    const packer = job(workflow, 'packer-validate');
    expect(packer.strategy).toEqual({ 'fail-fast': false, matrix: { node: workerNames } });
    expect(step(packer, 'Set up Packer')).toMatchObject({
      uses: usesOf(ACTION_PINS.setupPacker),
      with: { version: TOOL_VERSIONS.packer },
    });
    expect(step(packer, 'packer init').run).toBe(`packer init ${PACKER_DIR}\n`);
    const validate = step(packer, 'packer validate');
    expect(validate.env).toEqual({ NODE_NAME: '${{ matrix.node }}' });
    expect(validate.run).toContain('export PKR_VAR_build_password=');
    expect(validate.run).toContain(`packer validate -var "node_name=\${NODE_NAME}" ${PACKER_DIR}`);
  });

  it('GIVEN a worker added to the model THEN packer validate runs for it too', () => {
    const more = withNewWorker(example);
    expect(job(renderCiWorkflow(more), 'packer-validate').strategy!.matrix.node).toEqual([
      ...workerNames,
      more.nodes.at(-1)!.name,
    ]);
  });

  it('validates the synthesized Terraform without a backend', () => {
    const terraform = job(workflow, 'terraform-validate');
    expect(step(terraform, 'Set up Terraform').uses).toBe(usesOf(ACTION_PINS.setupTerraform));
    const validate = step(terraform, 'terraform init');
    expect(validate['working-directory']).toBe(TERRAFORM_DIR);
    expect(validate.run).toBe('terraform init -backend=false -input=false\nterraform validate\n');
  });
});
