import { BUILD_EXPIRY_TAG, s3BuildPrefix, s3LatestPrefix, type Cluster } from '@lolice/node-model';
import { ACTION_PINS, usesOf } from './pins';
import {
  ATTESTATION_BUNDLE,
  ATTESTED_FILES,
  BUILD_ANSIBLE_PLAYBOOK,
  BUILD_LOGS,
  BUILD_PACKAGES,
  COLLECT_BUILD_LOGS_SCRIPT,
  MIN_FREE_DISK_GIB,
  PACKER_CACHE_DIR,
  PACKER_DIR,
  POSTPROCESS_SCRIPT,
  rawImagePath,
  UNUSED_RUNNER_DIRS,
} from './settings';
import {
  checkKvm,
  checkout,
  enableKvm,
  packerInit,
  packerValidate,
  randomBuildPassword,
  script,
  setupPacker,
} from './steps';
import type { Step } from './types';

/** The only ref whose runs publish to S3: the branch the OIDC role trusts. */
export const publishRef = (c: Cluster): string => `refs/heads/${c.aws.branch}`;

/** A string literal of GitHub's expression syntax: single quotes, a quote inside doubled (its only escape). */
export const expressionString = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** The condition of the steps that only run on the publishing branch. */
const onPublishRef = (c: Cluster): string => `github.ref == ${expressionString(publishRef(c))}`;

/** ARN of the role the build assumes through GitHub OIDC. */
export const roleArn = (c: Cluster): string => `arn:aws:iam::${c.aws.accountId}:role/${c.aws.roleName}`;

/** `s3://<bucket>/<prefix>`: a node's images are under `<node>/builds/<id>/` and `<node>/latest/`. */
export const s3Images = (c: Cluster): string => `s3://${c.aws.bucket}/${c.aws.imagePrefix}`;

/** The node's dated and latest S3 destinations (the node-model layout), in shell variables: S3_IMAGES, NODE_NAME, build_id. */
const S3_DATED = s3BuildPrefix('${S3_IMAGES}', '${NODE_NAME}', '${build_id}');
const S3_LATEST = s3LatestPrefix('${S3_IMAGES}', '${NODE_NAME}');

/** The build log Packer's output is teed into (stays on the runner; collected on failure). */
const BUILD_LOG = '${RUNNER_TEMP}/packer-build.log';

/** Raw logs of the build (console, Packer's debug log), and the directory a failed build's artifact is collected into. */
const RAW_LOGS = `\${RUNNER_TEMP}/${BUILD_LOGS.raw}`;
const ARTIFACT_LOGS = `\${RUNNER_TEMP}/${BUILD_LOGS.artifact}`;

/** The runner has ~14 GB free at the start; the build needs more: show it, free it, stop early when it is not enough. */
const freeDisk = (): Step => ({
  name: `Free runner disk (the build needs ${MIN_FREE_DISK_GIB} GiB)`,
  run: script(
    'df -h /',
    `sudo rm -rf ${UNUSED_RUNNER_DIRS.join(' ')}`,
    'df -h /',
    'avail_kib="$(df --output=avail -k "${GITHUB_WORKSPACE}" | tail -n 1 | tr -d " ")"',
    `if [[ ! "\${avail_kib}" =~ ^[0-9]+$ ]] || (( avail_kib < ${MIN_FREE_DISK_GIB} * 1024 * 1024 )); then`,
    `  echo "::error::only \${avail_kib} KiB free under \${GITHUB_WORKSPACE}; an image build needs ${MIN_FREE_DISK_GIB} GiB (QEMU pauses the guest on a full disk)"`,
    '  exit 1',
    'fi',
  ),
});

/** GitHub's image puts a pipx ansible-core first on PATH; Packer runs the distribution's, by path (variable ansible_playbook). */
const showAnsible = (): Step => ({
  name: 'Show the Ansible the build runs',
  run: script(
    `${BUILD_ANSIBLE_PLAYBOOK} --version`,
    `${BUILD_ANSIBLE_PLAYBOOK.replace(/-playbook$/, '')} --version`,
    'echo "first ansible-playbook on PATH (not used by the build): $(command -v ansible-playbook || echo none)"',
  ),
});

const installPackages = (): Step => ({
  name: 'Install QEMU, OVMF, Ansible and the post-processing tools',
  run: script(
    'sudo apt-get update -qq',
    `sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${BUILD_PACKAGES.join(' ')}`,
  ),
});

/** The Ubuntu ISO is ~3 GB: keep Packer's download cache between runs, keyed on the ISO's checksum. */
const isoCacheKey = (c: Cluster): string => `ubuntu-${c.image.ubuntuRelease}-iso-${c.image.isoSha256}`;
const ISO_CACHE_STEP = 'iso-cache';

/** Restore and save are separate steps, so that a failed build still saves a downloaded ISO. */
const restoreIso = (c: Cluster): Step => ({
  name: 'Restore the Ubuntu ISO from the cache',
  id: ISO_CACHE_STEP,
  uses: usesOf(ACTION_PINS.cache, 'restore'),
  with: { path: PACKER_CACHE_DIR, key: isoCacheKey(c) },
});

const saveIso = (c: Cluster): Step => ({
  name: 'Save the Ubuntu ISO to the cache (also after a failed build)',
  if: `always() && steps.${ISO_CACHE_STEP}.outputs.cache-hit != 'true' && hashFiles('${PACKER_CACHE_DIR}/*.iso') != ''`,
  uses: usesOf(ACTION_PINS.cache, 'save'),
  with: { path: PACKER_CACHE_DIR, key: isoCacheKey(c) },
});

/** One timestamp for the image-info, the dated S3 key and the summary. */
const stamp = (): Step => ({
  name: 'Stamp the build (time, id, output directory, S3 keys)',
  run: script(
    'build_time="$(date -u +%Y-%m-%dT%H:%M:%SZ)"',
    'build_id="$(date -u -d "${build_time}" +%Y%m%d)-${GITHUB_SHA:0:7}"',
    '{',
    '  echo "BUILD_TIME=${build_time}"',
    '  echo "BUILD_ID=${build_id}"',
    '  echo "OUT_DIR=${RUNNER_TEMP}/image-${NODE_NAME}"',
    `  echo "S3_DATED=${S3_DATED}"`,
    `  echo "S3_LATEST=${S3_LATEST}"`,
    '} >> "$GITHUB_ENV"',
  ),
});

/**
 * The build, with Packer's debug log and the VM's serial console written under RAW_LOGS. On
 * failure, in this step (the only one that knows the build password), the logs are collected for
 * the artifact with the password and crypt hashes removed.
 */
const packerBuild = (): Step => ({
  name: 'packer build',
  env: { PACKER_LOG: '1' },
  run: script(
    'set -o pipefail',
    ...randomBuildPassword(),
    `mkdir -p "${RAW_LOGS}"`,
    `export PACKER_LOG_PATH="${RAW_LOGS}/packer.log"`,
    'status=0',
    `packer build -color=false -var "node_name=\${NODE_NAME}" -var "console_log=${RAW_LOGS}/console.log" ${PACKER_DIR} 2>&1 | tee "${BUILD_LOG}" || status=$?`,
    'if (( status != 0 )); then',
    `  BUILD_SECRET="\${build_password}" bash ${COLLECT_BUILD_LOGS_SCRIPT} "${ARTIFACT_LOGS}" "${RAW_LOGS}/console.log" "${RAW_LOGS}/packer.log" "${BUILD_LOG}" || true`,
    'fi',
    'exit "${status}"',
  ),
});

/** Only the collected logs (never the image, never the password), kept a few days. */
const uploadLogs = (): Step => ({
  name: `Upload the failed build's console and Packer logs (kept ${BUILD_LOGS.retentionDays} days)`,
  if: 'failure()',
  uses: usesOf(ACTION_PINS.uploadArtifact),
  with: {
    name: 'build-logs-${{ matrix.node }}-${{ github.run_attempt }}',
    path: `\${{ runner.temp }}/${BUILD_LOGS.artifact}`,
    'retention-days': BUILD_LOGS.retentionDays,
    'if-no-files-found': 'ignore',
  },
});

const postprocess = (c: Cluster): Step => ({
  name: 'Post-process the image (compressed image, .sha256, .bmap, image-info.json)',
  env: {
    KUBERNETES_VERSION: c.kubernetes.versions.kubelet,
    CRIO_VERSION: c.kubernetes.versions.crio,
    GIT_COMMIT: '${{ github.sha }}',
  },
  run: script(`bash ${POSTPROCESS_SCRIPT} "${rawImagePath('${NODE_NAME}')}" "\${OUT_DIR}"`, 'ls -l "${OUT_DIR}"'),
});

/**
 * GitHub artifact attestation (SLSA build provenance, signed through Sigstore with the job's
 * OIDC token) of the files the operator flashes: one attestation with each file as a subject.
 * Only on the publishing branch: only its builds reach S3, where the bundle is stored.
 */
const attest = (c: Cluster): Step => ({
  name: 'Attest the image files (GitHub artifact attestation)',
  id: 'attest',
  if: onPublishRef(c),
  uses: usesOf(ACTION_PINS.attestBuildProvenance),
  with: { 'subject-path': ATTESTED_FILES.map((f) => `\${{ env.OUT_DIR }}/${f}`).join('\n') },
});

/** The attestation's Sigstore bundle goes beside the files, so that the upload stores it under both keys. */
const bundle = (c: Cluster): Step => ({
  name: 'Put the attestation bundle beside the image files',
  if: onPublishRef(c),
  env: { BUNDLE_PATH: '${{ steps.attest.outputs.bundle-path }}' },
  run: script(`cp "\${BUNDLE_PATH}" "\${OUT_DIR}/${ATTESTATION_BUNDLE}"`, 'ls -l "${OUT_DIR}"'),
});

const awsCredentials = (c: Cluster): Step => ({
  name: 'Configure AWS credentials (GitHub OIDC)',
  if: onPublishRef(c),
  uses: usesOf(ACTION_PINS.configureAwsCredentials),
  with: {
    'role-to-assume': roleArn(c),
    'aws-region': c.aws.region,
    'role-session-name': 'build-worker-images-${{ github.run_id }}',
  },
});

/**
 * Dated copy first: `latest` only moves once the build's own copy is complete (the attestation
 * bundle included). `aws s3 cp` uploads in parts. Every object of the dated copy gets the build
 * expiry tag (node-model's `BUILD_EXPIRY_TAG`: the bucket's lifecycle expires tagged builds;
 * marking a build known-good removes the tag).
 */
const upload = (c: Cluster): Step => ({
  name: 'Upload to S3 (dated build, then latest)',
  id: 'upload',
  if: onPublishRef(c),
  env: { EXPIRY_TAG_KEY: BUILD_EXPIRY_TAG.key, EXPIRY_TAG_VALUE: BUILD_EXPIRY_TAG.value },
  run: script(
    'metadata="$(printf \'{"git-commit":"%s","node-name":"%s","build-id":"%s","build-time":"%s"}\' "${GITHUB_SHA}" "${NODE_NAME}" "${BUILD_ID}" "${BUILD_TIME}")"',
    'aws s3 cp "${OUT_DIR}/" "${S3_DATED}" --recursive --only-show-errors --metadata "${metadata}"',
    'dated="${S3_DATED#s3://}"',
    'for file in "${OUT_DIR}"/*; do',
    '  aws s3api put-object-tagging --bucket "${dated%%/*}" --key "${dated#*/}$(basename "${file}")" \\',
    '    --tagging "TagSet=[{Key=${EXPIRY_TAG_KEY},Value=${EXPIRY_TAG_VALUE}}]"',
    'done',
    'aws s3 cp "${OUT_DIR}/" "${S3_LATEST}" --recursive --only-show-errors --metadata "${metadata}"',
  ),
});

const summary = (c: Cluster): Step => ({
  name: 'Write the step summary (size, checksum, S3 paths)',
  env: { UPLOAD_OUTCOME: '${{ steps.upload.outcome }}', PUBLISH_REF: publishRef(c) },
  run: script(
    '{',
    '  echo "## Worker image ${NODE_NAME}"',
    '  echo',
    '  echo "Commit \\`${GITHUB_SHA}\\`, build \\`${BUILD_ID}\\`, built ${BUILD_TIME}."',
    `  grep -m1 -o "finished after .*" "${BUILD_LOG}" | sed 's/^/Packer build /' || true`,
    '  echo',
    '  echo "| file | size |"',
    '  echo "| --- | ---: |"',
    '  for file in "${OUT_DIR}"/*; do',
    '    size="$(stat -c %s "${file}")"',
    '    echo "| \\`$(basename "${file}")\\` | $(numfmt --to=iec-i --suffix=B "${size}") (${size} bytes) |"',
    '  done',
    '  echo',
    '  echo "sha256:"',
    "  echo '```'",
    '  cat "${OUT_DIR}"/*.sha256',
    "  echo '```'",
    '  if [[ "${UPLOAD_OUTCOME}" == success ]]; then',
    '    echo "Uploaded to \\`${S3_DATED}\\` and \\`${S3_LATEST}\\`."',
    '  else',
    '    echo "Not uploaded: only runs on \\`${PUBLISH_REF}\\` publish to S3 (this run: \\`${GITHUB_REF}\\`)."',
    '  fi',
    '} >> "$GITHUB_STEP_SUMMARY"',
  ),
});

/** The steps of one node's build job, in order. NODE_NAME, PACKER_CACHE_DIR and S3_IMAGES come from the job's env. */
export const buildSteps = (c: Cluster): Step[] => [
  checkout(),
  enableKvm(),
  checkKvm(),
  freeDisk(),
  installPackages(),
  showAnsible(),
  setupPacker(),
  restoreIso(c),
  packerInit(),
  packerValidate(),
  stamp(),
  packerBuild(),
  saveIso(c),
  uploadLogs(),
  postprocess(c),
  attest(c),
  bundle(c),
  awsCredentials(c),
  upload(c),
  summary(c),
];
