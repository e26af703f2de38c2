import type { Cluster } from '@lolice/node-model';
import { ACTION_PINS, TOOL_VERSIONS, usesOf } from './pins';
import { imageWorkers } from './render-build-workflow';
import { RUNNER, TERRAFORM_DIR, TEST_COMMAND, TIMEOUT_MINUTES } from './settings';
import { checkout, enableKvm, packerInit, packerValidate, script, setupPacker } from './steps';
import type { Job, Workflow } from './types';

/**
 * A branch filter that matches this one branch: the filter syntax's special characters
 * (`* ? + [ ] !` and `\`) escaped with `\`, as GitHub's filter pattern syntax allows.
 */
export const branchFilter = (branch: string): string => branch.replace(/[*?+[\]!\\]/g, '\\$&');

/** The README's test command: drift, type check, build, unit tests, validators and the VM tests. */
const testJob = (): Job => ({
  name: TEST_COMMAND,
  'runs-on': RUNNER,
  permissions: { contents: 'read' },
  'timeout-minutes': TIMEOUT_MINUTES.test,
  steps: [
    checkout(),
    {
      name: 'Set up Node.js',
      uses: usesOf(ACTION_PINS.setupNode),
      with: { 'node-version': TOOL_VERSIONS.node, cache: 'npm' },
    },
    // The VM tests use KVM when it works and fall back to emulation when it does not.
    enableKvm(),
    { name: 'Run the test command', run: script(TEST_COMMAND) },
  ],
});

/** `packer init` + `packer validate` of the templates for every worker. */
const packerValidateJob = (c: Cluster): Job => ({
  name: 'packer validate ${{ matrix.node }}',
  'runs-on': RUNNER,
  permissions: { contents: 'read' },
  'timeout-minutes': TIMEOUT_MINUTES.packerValidate,
  strategy: { 'fail-fast': false, matrix: { node: imageWorkers(c) } },
  steps: [checkout(), setupPacker(), packerInit(), packerValidate({ NODE_NAME: '${{ matrix.node }}' })],
});

/** The synthesized cdktf stack is valid Terraform (providers resolved, no backend, no credentials). */
const terraformValidateJob = (): Job => ({
  name: 'terraform validate',
  'runs-on': RUNNER,
  permissions: { contents: 'read' },
  'timeout-minutes': TIMEOUT_MINUTES.terraformValidate,
  steps: [
    checkout(),
    {
      name: 'Set up Terraform',
      uses: usesOf(ACTION_PINS.setupTerraform),
      with: { terraform_version: TOOL_VERSIONS.terraform, terraform_wrapper: false },
    },
    {
      name: 'terraform init -backend=false && terraform validate',
      'working-directory': TERRAFORM_DIR,
      run: script('terraform init -backend=false -input=false', 'terraform validate'),
    },
  ],
});

/** `.github/workflows/ci.yml`: what every pull request and every push to the main branch must pass. */
export function renderCiWorkflow(c: Cluster): Workflow {
  return {
    name: 'ci',
    on: { pull_request: { branches: [branchFilter(c.aws.branch)] }, push: { branches: [branchFilter(c.aws.branch)] } },
    permissions: { contents: 'read' },
    concurrency: { group: 'ci-${{ github.ref }}', 'cancel-in-progress': true },
    defaults: { run: { shell: 'bash' } },
    jobs: { test: testJob(), 'packer-validate': packerValidateJob(c), 'terraform-validate': terraformValidateJob() },
  };
}
