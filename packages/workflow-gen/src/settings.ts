/** Job settings the workflows share (none of these is in the model). */

/** Where the generated workflows are written. */
export const WORKFLOW_PATHS = {
  build: '.github/workflows/build-worker-images.yml',
  ci: '.github/workflows/ci.yml',
} as const;

/**
 * GitHub artifact attestation of each image build: the files attested (globs under the
 * post-processing output directory: the compressed image, its block map, image-info.json),
 * and the name of the Sigstore bundle that is uploaded beside them (one attestation, one
 * bundle, every file a subject of it). `scripts/flash-image.sh` reads the bundle's name and
 * the signer from generated/image-locations.json.
 */
export const ATTESTED_FILES = ['*.img.zst', '*.img.bmap', 'image-info.json'] as const;
export { ATTESTATION_BUNDLE } from '@lolice/node-model';

/** The predicate type of the attestation `actions/attest-build-provenance` makes: SLSA build provenance v1. */
export const PROVENANCE_PREDICATE_TYPE = 'https://slsa.dev/provenance/v1';

/**
 * The identity a run of the image workflow of `repository` on `ref` signs with: the Subject
 * Alternative Name of its Sigstore certificate (gh's `--cert-identity`, matched exactly), e.g.
 * `https://github.com/owner/name/.github/workflows/build-worker-images.yml@refs/heads/main`.
 */
export const signerIdentity = (repository: string, ref: string): string =>
  `https://github.com/${repository}/${WORKFLOW_PATHS.build}@${ref}`;

/** The runner image. Pinned, not `ubuntu-latest`: OVMF file names and package sets differ between releases. */
export const RUNNER = 'ubuntu-24.04';

/** Repository paths the workflows use: the repository layout of node-model. */
export {
  BUILD_ANSIBLE_PLAYBOOK,
  COLLECT_BUILD_LOGS_SCRIPT,
  IMAGE_ARCH,
  PACKER_CACHE_DIR,
  PACKER_DIR,
  POSTPROCESS_SCRIPT,
  rawImagePath,
  TERRAFORM_DIR,
} from '@lolice/node-model';

/**
 * A failed build's logs: the console and Packer's debug log are written under the runner's temp
 * directory (BUILD_LOGS.raw), collected (password and hashes removed) into BUILD_LOGS.artifact, and
 * that directory alone is uploaded, kept BUILD_LOGS.retentionDays days.
 */
export const BUILD_LOGS = {
  raw: 'build-debug',
  artifact: 'build-logs',
  retentionDays: 7,
  maxRetentionDays: 14,
} as const;

/**
 * Free disk an image build needs on the runner: the ISO (~3 GB) and its cache copy, the raw image
 * (image.diskSizeGiB, sparse but written by the installer), the compressed outputs; QEMU pauses the
 * guest when the disk fills.
 */
export const MIN_FREE_DISK_GIB = 20;

/** Preinstalled toolchains of GitHub's ubuntu-24.04 image the build never uses (~20 GB). */
export const UNUSED_RUNNER_DIRS = [
  '/usr/share/dotnet',
  '/usr/local/lib/android',
  '/opt/ghc',
  '/opt/hostedtoolcache/CodeQL',
] as const;

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
