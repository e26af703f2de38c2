import { describe, expect, it } from 'vitest';
import { ALL_NODES_CHOICE, exampleCluster as example, imageWorkerNodes } from '@lolice/node-model';
import { variant, withNewWorker } from '../../../test/lib/model';
import {
  ACTION_PINS,
  ATTESTATION_BUNDLE,
  PACKER_CACHE_DIR,
  PACKER_DIR,
  publishRef,
  renderBuildWorkflow,
  roleArn,
  s3Images,
  usesOf,
} from '../src';
import { job, step, stepIndex } from './lib/fixtures';

const workflow = renderBuildWorkflow(example);
const build = job(workflow, 'build');
const workerNames = imageWorkerNodes(example).map((n) => n.name);

describe('build-worker-images: the node_name choice', () => {
  const input = (w = workflow) =>
    (w.on.workflow_dispatch as { inputs: { node_name: { type: string; options: string[] } } }).inputs.node_name;

  it('offers "all" plus exactly the model\'s workers, in model order', () => {
    expect(input().type).toBe('choice');
    expect(input().options).toEqual([ALL_NODES_CHOICE, ...workerNames]);
    for (const n of example.nodes.filter((x) => x.role === 'control-plane')) {
      expect(input().options).not.toContain(n.name);
    }
  });

  it('GIVEN a worker added to the model WHEN rendered THEN it is a choice and the plan job knows it', () => {
    const more = withNewWorker(example);
    const added = more.nodes.at(-1)!.name;
    const w = renderBuildWorkflow(more);
    expect(input(w).options).toEqual([ALL_NODES_CHOICE, ...workerNames, added]);
    expect(JSON.parse(step(job(w, 'plan'), 'Turn the node_name').env!.WORKERS)).toEqual([...workerNames, added]);
  });
});

describe('build-worker-images: jobs', () => {
  it("expands the plan job's JSON list into one build job per node, failures isolated", () => {
    expect(job(workflow, 'plan').outputs).toEqual({ nodes: '${{ steps.matrix.outputs.nodes }}' });
    expect(build.needs).toBe('plan');
    expect(build.strategy).toEqual({
      'fail-fast': false,
      matrix: { node: '${{ fromJSON(needs.plan.outputs.nodes) }}' },
    });
  });

  it('runs one build per node at a time, with a timeout', () => {
    expect(build.concurrency).toEqual({ group: 'build-worker-image-${{ matrix.node }}', 'cancel-in-progress': false });
    expect(build['timeout-minutes']).toBeGreaterThan(0);
    expect(build['timeout-minutes']).toBeLessThanOrEqual(180);
  });

  it('grants id-token: write and attestations: write only to the job that reaches AWS and attests, contents: read everywhere', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(job(workflow, 'plan').permissions).toEqual({ contents: 'read' });
    expect(build.permissions).toEqual({ contents: 'read', 'id-token': 'write', attestations: 'write' });
    expect(build.steps.some((s) => s.uses === usesOf(ACTION_PINS.attestBuildProvenance))).toBe(true);
    expect(build.steps.some((s) => s.uses === usesOf(ACTION_PINS.configureAwsCredentials))).toBe(true);
  });
});

describe('build-worker-images: the build job', () => {
  it('enables KVM with the udev rule and checks /dev/kvm before Packer runs', () => {
    const enable = step(build, 'Enable KVM').run!;
    expect(enable).toContain('KERNEL=="kvm", GROUP="kvm", MODE="0666"');
    expect(enable).toContain('udevadm control --reload-rules');
    expect(enable).toContain('udevadm trigger --name-match=kvm');
    expect(step(build, 'Check that /dev/kvm').run).toMatch(/\[\[ ! -w \/dev\/kvm \]\][\s\S]*exit 1/);
    expect(stepIndex(build, 'Enable KVM')).toBeLessThan(stepIndex(build, 'Check that /dev/kvm'));
    expect(stepIndex(build, 'Check that /dev/kvm')).toBeLessThan(stepIndex(build, 'packer init'));
  });

  it('installs QEMU, OVMF and Ansible', () => {
    expect(step(build, 'Install').run).toMatch(/apt-get install .*\bqemu-system-x86\b.*\bovmf\b.*\bansible\b/);
  });

  it("caches the ISO in Packer's cache directory, keyed on the model's sha256 (restored before, saved after the build)", () => {
    const cache = step(build, 'Restore the Ubuntu ISO');
    expect(cache.uses).toBe(usesOf(ACTION_PINS.cache, 'restore'));
    expect(cache.with).toEqual({ path: PACKER_CACHE_DIR, key: expect.stringContaining(example.image.isoSha256) });
    expect(step(build, 'Save the Ubuntu ISO').with).toEqual(cache.with);
    expect(build.env!.PACKER_CACHE_DIR).toBe(PACKER_CACHE_DIR);
    const other = renderBuildWorkflow(variant(example, (c) => (c.image.isoSha256 = 'f'.repeat(64))));
    expect(step(job(other, 'build'), 'Restore the Ubuntu ISO').with!.key).toContain('f'.repeat(64));
  });

  it('runs packer init, validate and build in order, for the matrix node, with a fresh masked password', () => {
    const [init, validate, packerBuild] = ['packer init', 'packer validate', 'packer build'].map((n) =>
      stepIndex(build, n),
    );
    expect(init).toBeLessThan(validate);
    expect(validate).toBeLessThan(packerBuild);
    expect(build.env!.NODE_NAME).toBe('${{ matrix.node }}');
    const run = build.steps[packerBuild].run!;
    expect(run).toContain(
      `packer build -color=false -var "node_name=\${NODE_NAME}" -var "build_id=\${BUILD_ID}" -var "git_commit=\${GITHUB_SHA}" -var "console_log=\${RUNNER_TEMP}/build-debug/console.log" ${PACKER_DIR}`,
    );
    expect(run).toContain('set -o pipefail');
    expect(run).toMatch(
      /build_password="\$\(openssl rand -hex \d+\)"\necho "::add-mask::\$\{build_password\}"\nexport PKR_VAR_build_password=/,
    );
  });

  it('post-processes the raw image with the package versions from the model', () => {
    const post = step(build, 'Post-process');
    expect(post.run).toContain(
      `bash scripts/postprocess-image.sh "${PACKER_DIR}/output-\${NODE_NAME}/\${NODE_NAME}.img" "\${OUT_DIR}"`,
    );
    expect(post.env).toEqual({
      KUBERNETES_VERSION: example.kubernetes.versions.kubelet,
      CRIO_VERSION: example.kubernetes.versions.crio,
      GIT_COMMIT: '${{ github.sha }}',
    });
    expect(stepIndex(build, 'Stamp the build')).toBeLessThan(stepIndex(build, 'Post-process'));
  });

  it("assumes the model's role in the model's region, on the model's branch only", () => {
    const aws = step(build, 'Configure AWS credentials');
    const { accountId, roleName, region, branch } = example.aws;
    expect(aws.with).toMatchObject({
      'role-to-assume': `arn:aws:iam::${accountId}:role/${roleName}`,
      'aws-region': region,
    });
    expect(roleArn(example)).toBe(`arn:aws:iam::${accountId}:role/${roleName}`);
    expect(aws.if).toBe(`github.ref == 'refs/heads/${branch}'`);
    expect(publishRef(example)).toBe(`refs/heads/${branch}`);
    expect(step(build, 'Upload to S3').if).toBe(aws.if);
    const otherAccount = accountId.split('').reverse().join('');
    const other = renderBuildWorkflow(
      variant(example, (c) => Object.assign(c.aws, { accountId: otherAccount, roleName: `${roleName}Other` })),
    );
    expect(step(job(other, 'build'), 'Configure AWS').with!['role-to-assume']).toBe(
      `arn:aws:iam::${otherAccount}:role/${roleName}Other`,
    );
  });

  it('attests the .zst, the .bmap and image-info.json after post-processing, on the publishing branch, and puts the bundle beside them before the upload', () => {
    const attest = step(build, 'Attest the image files');
    expect(attest.uses).toBe(usesOf(ACTION_PINS.attestBuildProvenance));
    expect(ACTION_PINS.attestBuildProvenance.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(attest.with!['subject-path']).toBe(
      '${{ env.OUT_DIR }}/*.img.zst\n${{ env.OUT_DIR }}/*.img.bmap\n${{ env.OUT_DIR }}/image-info.json',
    );
    expect(attest.if).toBe(step(build, 'Upload to S3').if);
    const put = step(build, 'Put the attestation bundle');
    expect(put.env).toEqual({ BUNDLE_PATH: `\${{ steps.${attest.id}.outputs.bundle-path }}` });
    expect(put.run).toContain(`cp "\${BUNDLE_PATH}" "\${OUT_DIR}/${ATTESTATION_BUNDLE}"`);
    expect(put.if).toBe(attest.if);
    expect(stepIndex(build, 'Post-process')).toBeLessThan(stepIndex(build, 'Attest the image files'));
    expect(stepIndex(build, 'Attest the image files')).toBeLessThan(stepIndex(build, 'Put the attestation bundle'));
    expect(stepIndex(build, 'Put the attestation bundle')).toBeLessThan(stepIndex(build, 'Upload to S3'));
  });

  it("uploads with aws s3 cp and never the image as a GitHub artifact (only a failed build's logs: failed-build.test.ts)", () => {
    expect(step(build, 'Upload to S3').run).toContain('aws s3 cp');
    expect(build.env!.S3_IMAGES).toBe(`s3://${example.aws.bucket}/${example.aws.imagePrefix}`);
    expect(s3Images(example)).toBe(build.env!.S3_IMAGES);
    const artifacts = build.steps.filter((s) => s.uses?.includes('upload-artifact'));
    expect(artifacts.map((s) => [s.if, s.with!.path])).toEqual([['failure()', '${{ runner.temp }}/build-logs']]);
  });
});
