/** Repository paths and job settings the workflows share (none of these is in the model). */

/** Where the generated workflows are written. */
export const WORKFLOW_PATHS = {
  build: '.github/workflows/build-worker-images.yml',
  ci: '.github/workflows/ci.yml',
} as const;

/** The runner image. Pinned, not `ubuntu-latest`: OVMF file names and package sets differ between releases. */
export const RUNNER = 'ubuntu-24.04';

/** The only architecture the image pipeline builds; the Packer directory and image prefix are named after it. */
export const IMAGE_ARCH = 'x86_64';

/** Packer templates of the worker image (shared contract with packer-gen). */
export const PACKER_DIR = `packer/${IMAGE_ARCH}`;

/** Packer's download cache (PACKER_CACHE_DIR); gitignored, restored by actions/cache. */
export const PACKER_CACHE_DIR = `${PACKER_DIR}/packer_cache`;

/** Raw image Packer writes for one node (shared contract with packer-gen). */
export const rawImagePath = (node: string): string => `${PACKER_DIR}/output-${node}/${node}.img`;

/** `postprocess-image.sh <raw-image> <out-dir>`: compressed image, .sha256, .bmap, image-info.json. */
export const POSTPROCESS_SCRIPT = 'scripts/postprocess-image.sh';

/** The synthesized cdktf stack (shared contract with cdktf-infra). */
export const TERRAFORM_DIR = 'generated/terraform/worker-node-images';

/** The README's one test command; CI runs exactly this. */
export const TEST_COMMAND = 'npm ci && npx projen test';

/** Debian packages an image build needs on the runner (Packer's QEMU builder, UEFI firmware, the Ansible provisioner, post-processing). */
export const BUILD_PACKAGES = ['qemu-system-x86', 'qemu-utils', 'ovmf', 'ansible', 'bmap-tools', 'zstd'] as const;

/** Job time limits in minutes. A KVM build takes 15-30 min; the test command must stay under 90. */
export const TIMEOUT_MINUTES = {
  plan: 5,
  build: 120,
  test: 120,
  packerValidate: 15,
  terraformValidate: 15,
} as const;
