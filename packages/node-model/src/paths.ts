/**
 * The repository's layout, relative to its root: where the generated artifacts go and where
 * the hand-written files they refer to live. Each path is written here once; the generators
 * and the projen components import it (shell scripts take paths as arguments).
 */

/** The only architecture the image pipeline builds; the Packer directory is named after it. */
export const IMAGE_ARCH = 'x86_64';

/** The Packer templates of the worker image. */
export const PACKER_DIR = `packer/${IMAGE_ARCH}`;

/** The folder Packer serves to Ubuntu's installer (the autoinstall user-data and meta-data): its name inside PACKER_DIR, and its path. */
export const PACKER_HTTP_SUBDIR = 'http';
export const PACKER_HTTP_DIR = `${PACKER_DIR}/${PACKER_HTTP_SUBDIR}`;

/** Packer's download cache (PACKER_CACHE_DIR): gitignored, restored by actions/cache in CI. */
export const PACKER_CACHE_DIR = `${PACKER_DIR}/packer_cache`;

/** Output directory and raw image Packer writes for one node (gitignored). */
export const packerOutputDir = (node: string): string => `${PACKER_DIR}/output-${node}`;
export const rawImagePath = (node: string): string => `${packerOutputDir(node)}/${node}.img`;

/** The build VM's serial console log of a local build (gitignored; CI passes its own path). */
export const packerConsoleLog = (node: string): string => `${PACKER_DIR}/console-${node}.log`;

/** The cdktf stack: its id, and the folder of its committed, synthesized Terraform. */
export const TERRAFORM_STACK = 'worker-node-images';
export const TERRAFORM_DIR = `generated/terraform/${TERRAFORM_STACK}`;

/** Generated files outside the generators' own folders: the node table the README links, and where the images are (read by scripts/flash-image.sh). */
export const NODE_TABLE_FILE = 'generated/nodes.md';
export const IMAGE_LOCATIONS_FILE = 'generated/image-locations.json';

/** The production Ansible inventory; its group_vars/ sit beside hosts.yml. */
export const INVENTORY_DIR = 'ansible/inventories/production';

/** Hand-written Ansible files an image build runs. */
export const ANSIBLE_CONFIG = 'ansible/ansible.cfg';
export const WORKER_PLAYBOOK = 'ansible/playbooks/worker.yml';

/** `collect-build-logs.sh <out-dir> <log>...`: a failed build's logs, build password and crypt hashes removed. */
export const COLLECT_BUILD_LOGS_SCRIPT = 'scripts/collect-build-logs.sh';

/** The ansible-playbook an image build runs, by path (Debian/Ubuntu package "ansible"), never the first on PATH. */
export const BUILD_ANSIBLE_PLAYBOOK = '/usr/bin/ansible-playbook';

/** `postprocess-image.sh <raw-image> <out-dir>`: compressed image, .sha256, .bmap, image-info.json. */
export const POSTPROCESS_SCRIPT = 'scripts/postprocess-image.sh';

/**
 * The S3 layout of one node's images under the model's `aws.imagePrefix` (keys, no bucket):
 * every build under a dated id (`YYYYMMDD-<sha7>`), and a copy of the newest under `latest/`.
 */
export const s3BuildsPrefix = (imagePrefix: string, node: string): string => `${imagePrefix}/${node}/builds/`;
export const s3BuildPrefix = (imagePrefix: string, node: string, buildId: string): string =>
  `${s3BuildsPrefix(imagePrefix, node)}${buildId}/`;
export const s3LatestPrefix = (imagePrefix: string, node: string): string => `${imagePrefix}/${node}/latest/`;

/** The key of a node's known-good pointer, beside its `latest/` (a small JSON object). */
export const knownGoodKey = (imagePrefix: string, node: string): string => `${imagePrefix}/${node}/known-good`;

/** The Sigstore bundle of a build's GitHub artifact attestation, stored beside its files. */
export const ATTESTATION_BUNDLE = 'attestation.sigstore.json';

/**
 * The files of one build, under its dated prefix and under `latest/`: what
 * `scripts/postprocess-image.sh` writes (image, checksum, block map, image-info.json) and the
 * attestation bundle the image workflow adds.
 */
export const buildFiles = (node: string): readonly string[] => [
  `${node}.img.zst`,
  `${node}.img.zst.sha256`,
  `${node}.img.bmap`,
  'image-info.json',
  ATTESTATION_BUNDLE,
];

/** A build id as the image workflow makes it, `YYYYMMDD-<sha7>` (all of the same length). */
export const EXAMPLE_BUILD_ID = '20260101-0123abc';

/** S3's longest object key, in bytes of UTF-8. */
export const S3_MAX_KEY_BYTES = 1024;

/** Every key the layout gives a node's objects: each build file dated and under `latest/`, and the known-good pointer. */
export const s3NodeKeys = (imagePrefix: string, node: string): string[] => [
  ...buildFiles(node).flatMap((f) => [
    `${s3BuildPrefix(imagePrefix, node, EXAMPLE_BUILD_ID)}${f}`,
    `${s3LatestPrefix(imagePrefix, node)}${f}`,
  ]),
  knownGoodKey(imagePrefix, node),
];

/**
 * The bucket's retention contract, shared by the bucket (cdktf-infra), the image workflow
 * (workflow-gen) and the flashing helper (through `generated/image-locations.json`).
 *
 * S3 lifecycle filters match a prefix, object tags and sizes, never the absence of a tag or
 * the content of another object. So "every build but the known-good one expires" is said
 * positively: the image workflow tags every object of a dated build with `BUILD_EXPIRY_TAG`
 * when it uploads it, each node's `builds/` rule expires only objects carrying that tag, and
 * marking a build known-good removes the tag from its objects (and puts it back on the
 * previous known-good build's). An object without the tag is never expired by age.
 */
export const BUILD_EXPIRY_TAG = { key: 'lolice-retention', value: 'expire' } as const;

/** The model of the cluster this repository serves, and the name of its export. */
export const MODEL_FILE = 'packages/node-model/src/lolice.ts';
export const MODEL_EXPORT = 'lolice';
