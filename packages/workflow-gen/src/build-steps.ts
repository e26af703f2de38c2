import { s3BuildPrefix, s3LatestPrefix, type Cluster } from '@lolice/node-model';
import { ACTION_PINS, usesOf } from './pins';
import { ATTESTATION_BUNDLE, ATTESTED_FILES, BUILD_PACKAGES, PACKER_CACHE_DIR, PACKER_DIR, POSTPROCESS_SCRIPT, rawImagePath } from './settings';
import { checkKvm, checkout, enableKvm, packerInit, packerValidate, randomBuildPassword, script, setupPacker } from './steps';
import type { Step, WorkflowOptions } from './types';

/** The only ref whose runs publish to S3: the branch the OIDC role trusts. */
export const publishRef = (c: Cluster): string => `refs/heads/${c.aws.branch}`;

/** ARN of the role the build assumes through GitHub OIDC. */
export const roleArn = (c: Cluster): string => `arn:aws:iam::${c.aws.accountId}:role/${c.aws.roleName}`;

/** `s3://<bucket>/<prefix>`: a node's images are under `<node>/builds/<id>/` and `<node>/latest/`. */
export const s3Images = (c: Cluster): string => `s3://${c.aws.bucket}/${c.aws.imagePrefix}`;

/** The node's dated and latest S3 destinations (the node-model layout), in shell variables: S3_IMAGES, NODE_NAME, build_id. */
const S3_DATED = s3BuildPrefix('${S3_IMAGES}', '${NODE_NAME}', '${build_id}');
const S3_LATEST = s3LatestPrefix('${S3_IMAGES}', '${NODE_NAME}');

/** The build log Packer's output is teed into (stays on the runner). */
const BUILD_LOG = '${RUNNER_TEMP}/packer-build.log';

const installPackages = (): Step => ({
  name: 'Install QEMU, OVMF, Ansible and the post-processing tools',
  run: script('sudo apt-get update -qq', `sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${BUILD_PACKAGES.join(' ')}`),
});

/** The Ubuntu ISO is ~3 GB: keep Packer's download cache between runs, keyed on the ISO's checksum. */
const cacheIso = (c: Cluster): Step => ({
  name: 'Cache the Ubuntu ISO',
  uses: usesOf(ACTION_PINS.cache),
  with: { path: PACKER_CACHE_DIR, key: `ubuntu-${c.image.ubuntuRelease}-iso-${c.image.isoSha256}` },
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

const packerBuild = (): Step => ({
  name: 'packer build',
  run: script(
    'set -o pipefail',
    ...randomBuildPassword(),
    `packer build -color=false -var "node_name=\${NODE_NAME}" ${PACKER_DIR} 2>&1 | tee "${BUILD_LOG}"`,
  ),
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
  if: `github.ref == '${publishRef(c)}'`,
  uses: usesOf(ACTION_PINS.attestBuildProvenance),
  with: { 'subject-path': ATTESTED_FILES.map((f) => `\${{ env.OUT_DIR }}/${f}`).join('\n') },
});

/** The attestation's Sigstore bundle goes beside the files, so that the upload stores it under both keys. */
const bundle = (c: Cluster): Step => ({
  name: 'Put the attestation bundle beside the image files',
  if: `github.ref == '${publishRef(c)}'`,
  env: { BUNDLE_PATH: '${{ steps.attest.outputs.bundle-path }}' },
  run: script(`cp "\${BUNDLE_PATH}" "\${OUT_DIR}/${ATTESTATION_BUNDLE}"`, 'ls -l "${OUT_DIR}"'),
});

const awsCredentials = (c: Cluster): Step => ({
  name: 'Configure AWS credentials (GitHub OIDC)',
  if: `github.ref == '${publishRef(c)}'`,
  uses: usesOf(ACTION_PINS.configureAwsCredentials),
  with: {
    'role-to-assume': roleArn(c),
    'aws-region': c.aws.region,
    'role-session-name': 'build-worker-images-${{ github.run_id }}',
  },
});

/**
 * Dated copy first: `latest` only moves once the build's own copy is complete (the attestation
 * bundle included). `aws s3 cp` uploads in parts. With a build expiry tag, every object of the
 * dated copy gets it (the bucket's lifecycle expires tagged builds; marking a build known-good
 * removes the tag).
 */
const upload = (c: Cluster, options: WorkflowOptions): Step => ({
  name: 'Upload to S3 (dated build, then latest)',
  id: 'upload',
  if: `github.ref == '${publishRef(c)}'`,
  ...(options.buildExpiryTag ? { env: { EXPIRY_TAG_KEY: options.buildExpiryTag.key, EXPIRY_TAG_VALUE: options.buildExpiryTag.value } } : {}),
  run: script(
    'metadata="$(printf \'{"git-commit":"%s","node-name":"%s","build-id":"%s","build-time":"%s"}\' "${GITHUB_SHA}" "${NODE_NAME}" "${BUILD_ID}" "${BUILD_TIME}")"',
    'aws s3 cp "${OUT_DIR}/" "${S3_DATED}" --recursive --only-show-errors --metadata "${metadata}"',
    ...(options.buildExpiryTag
      ? [
          'dated="${S3_DATED#s3://}"',
          'for file in "${OUT_DIR}"/*; do',
          '  aws s3api put-object-tagging --bucket "${dated%%/*}" --key "${dated#*/}$(basename "${file}")" \\',
          '    --tagging "TagSet=[{Key=${EXPIRY_TAG_KEY},Value=${EXPIRY_TAG_VALUE}}]"',
          'done',
        ]
      : []),
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
export const buildSteps = (c: Cluster, options: WorkflowOptions = {}): Step[] => [
  checkout(),
  enableKvm(),
  checkKvm(),
  installPackages(),
  setupPacker(),
  cacheIso(c),
  packerInit(),
  packerValidate(),
  stamp(),
  packerBuild(),
  postprocess(c),
  attest(c),
  bundle(c),
  awsCredentials(c),
  upload(c, options),
  summary(c),
];
