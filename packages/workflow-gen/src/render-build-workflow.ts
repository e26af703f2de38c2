import { ALL_NODES_CHOICE, imageWorkerNodes, type Cluster } from '@lolice/node-model';
import { buildSteps, s3Images } from './build-steps';
import { PACKER_CACHE_DIR, RUNNER, TIMEOUT_MINUTES } from './settings';
import { script } from './steps';
import type { Job, Workflow } from './types';

/** The workers an image is built for: the model's workers of the image architecture, in model order. */
export const imageWorkers = (c: Cluster): string[] => imageWorkerNodes(c).map((n) => n.name);

/** The choice that builds every worker. */
export const ALL_NODES = ALL_NODES_CHOICE;

/** Turns the `node_name` choice into the JSON list the build matrix expands. */
const planJob = (c: Cluster): Job => ({
  name: 'Plan the build matrix',
  'runs-on': RUNNER,
  permissions: { contents: 'read' },
  'timeout-minutes': TIMEOUT_MINUTES.plan,
  outputs: { nodes: '${{ steps.matrix.outputs.nodes }}' },
  steps: [
    {
      name: 'Turn the node_name choice into a JSON list of nodes',
      id: 'matrix',
      env: { NODE_NAME: '${{ inputs.node_name }}', WORKERS: JSON.stringify(imageWorkers(c)) },
      run: script(
        `if [[ "\${NODE_NAME}" == ${ALL_NODES} ]]; then`,
        '  nodes="${WORKERS}"',
        `elif jq -e --arg node "\${NODE_NAME}" 'index($node) != null' <<<"\${WORKERS}" >/dev/null; then`,
        `  nodes="$(jq -cn --arg node "\${NODE_NAME}" '[$node]')"`,
        'else',
        '  echo "::error::${NODE_NAME} is not one of the workers ${WORKERS}"',
        '  exit 1',
        'fi',
        'echo "nodes=${nodes}" >> "$GITHUB_OUTPUT"',
        'echo "Building images for: ${nodes}"',
      ),
    },
  ],
});

/** One build per node: isolated failures, one run per node at a time; OIDC (AWS, Sigstore) and attestations only here. */
const buildJob = (c: Cluster): Job => ({
  name: 'Build ${{ matrix.node }}',
  needs: 'plan',
  'runs-on': RUNNER,
  permissions: { contents: 'read', 'id-token': 'write', attestations: 'write' },
  'timeout-minutes': TIMEOUT_MINUTES.build,
  concurrency: { group: 'build-worker-image-${{ matrix.node }}', 'cancel-in-progress': false },
  strategy: { 'fail-fast': false, matrix: { node: '${{ fromJSON(needs.plan.outputs.nodes) }}' } },
  env: { NODE_NAME: '${{ matrix.node }}', PACKER_CACHE_DIR, S3_IMAGES: s3Images(c) },
  steps: buildSteps(c),
});

/** `.github/workflows/build-worker-images.yml`: build, post-process and publish worker images on demand. */
export function renderBuildWorkflow(c: Cluster): Workflow {
  return {
    name: 'build-worker-images',
    on: {
      workflow_dispatch: {
        inputs: {
          node_name: {
            description: `Worker to build an image for ("${ALL_NODES}": every worker)`,
            type: 'choice',
            required: true,
            default: ALL_NODES,
            options: [ALL_NODES, ...imageWorkers(c)],
          },
        },
      },
    },
    permissions: { contents: 'read' },
    defaults: { run: { shell: 'bash' } },
    jobs: { plan: planJob(c), build: buildJob(c) },
  };
}
