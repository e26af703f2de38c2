import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ALL_NODES_CHOICE,
  BUILD_EXPIRY_TAG as TAG,
  BUILD_ID_PATTERN,
  BUILD_RECORD_VARS,
  controlPlane,
  exampleCluster as example,
  imageWorkerNodes,
  s3BuildPrefix,
  s3LatestPrefix,
} from '@lolice/node-model';
import { ATTESTATION_BUNDLE, renderBuildWorkflow, s3Images } from '../src';
import { job, step } from './lib/fixtures';
import { runStep } from './lib/run-step';

// The shell steps of the build workflow, run in bash as the runner would run them.
const workflow = renderBuildWorkflow(example);
const build = job(workflow, 'build');
const planStep = step(job(workflow, 'plan'), 'Turn the node_name');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const WORKERS = imageWorkerNodes(example).map((n) => n.name);
const NODE = WORKERS[0];
const S3_IMAGES = s3Images(example);

describe('the plan step', () => {
  const plan = (choice: string) => runStep(planStep.run!, { ...planStep.env!, NODE_NAME: choice });

  it('GIVEN the "all" choice THEN the matrix is every worker', () => {
    const r = plan(ALL_NODES_CHOICE);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.githubOutput.nodes)).toEqual(WORKERS);
  });

  it.each(WORKERS)('GIVEN the worker %s THEN the matrix is that worker alone', (name) => {
    expect(JSON.parse(plan(name).githubOutput.nodes)).toEqual([name]);
  });

  it('GIVEN a name that is no worker (a dispatch through the API) THEN it fails and names it', () => {
    const bad = `${controlPlane(example)[0].name}; rm -rf /`;
    const r = plan(bad);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain(`::error::${bad} is not one of the workers`);
    expect(r.githubOutput.nodes).toBeUndefined();
  });
});

describe('the stamp step', () => {
  it('names the dated build <YYYYMMDD>-<sha7> under <prefix>/<node>/builds/ and the stable key <prefix>/<node>/latest/', () => {
    const r = runStep(step(build, 'Stamp the build').run!, { GITHUB_SHA: SHA, NODE_NAME: NODE, S3_IMAGES });
    expect(r.status, r.stderr).toBe(0);
    const { BUILD_TIME, BUILD_ID, S3_DATED, S3_LATEST, OUT_DIR } = r.githubEnv;
    expect(BUILD_TIME).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(BUILD_ID).toBe(`${BUILD_TIME.slice(0, 10).replace(/-/g, '')}-0123456`);
    expect(S3_DATED).toBe(s3BuildPrefix(S3_IMAGES, NODE, BUILD_ID));
    expect(S3_LATEST).toBe(s3LatestPrefix(S3_IMAGES, NODE));
    expect(S3_DATED).toBe(`s3://${example.aws.bucket}/${example.aws.imagePrefix}/${NODE}/builds/${BUILD_ID}/`);
    expect(OUT_DIR.endsWith(`/image-${NODE}`)).toBe(true);
  });
});

describe('the packer build step', () => {
  it("passes the stamp's build id and the commit to Packer as the variables the image records", () => {
    const stamp = runStep(step(build, 'Stamp the build').run!, { GITHUB_SHA: SHA, NODE_NAME: NODE, S3_IMAGES });
    // STAND-IN for packer: prints its arguments, one a line, and succeeds.
    const r = runStep(
      step(build, 'packer build').run!,
      { ...stamp.githubEnv, GITHUB_SHA: SHA, NODE_NAME: NODE },
      (dir) =>
        writeFileSync(join(dir, 'bin', 'packer'), '#!/usr/bin/env bash\nprintf "arg %s\\n" "$@"\n', { mode: 0o755 }),
    );
    expect(r.status, r.stderr).toBe(0);
    const args = r.stdout.split('\n');
    expect(args).toContain(`arg ${BUILD_RECORD_VARS.buildId}=${stamp.githubEnv.BUILD_ID}`);
    expect(args).toContain(`arg ${BUILD_RECORD_VARS.gitCommit}=${SHA}`);
    expect(stamp.githubEnv.BUILD_ID).toMatch(new RegExp(BUILD_ID_PATTERN));
  });
});

/** A finished post-processing output directory, as scripts/postprocess-image.sh leaves it. */
const outDir = (dir: string) => {
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'out', `${NODE}.img.zst`), Buffer.alloc(3 * 1024 * 1024));
  writeFileSync(join(dir, 'out', `${NODE}.img.zst.sha256`), `${'a'.repeat(64)}  ${NODE}.img.zst\n`);
  writeFileSync(join(dir, 'out', 'image-info.json'), '{}\n');
  writeFileSync(
    join(dir, 'temp', 'packer-build.log'),
    "==> Builds finished.\nBuild 'qemu.worker' finished after 21 minutes 7 seconds.\n",
  );
};

const stamped = {
  GITHUB_SHA: SHA,
  GITHUB_REF: `refs/heads/${example.aws.branch}`,
  NODE_NAME: NODE,
  OUT_DIR: 'out',
  BUILD_ID: '20250102-0123456',
  BUILD_TIME: '2025-01-02T03:04:05Z',
  S3_DATED: s3BuildPrefix(S3_IMAGES, NODE, '20250102-0123456'),
  S3_LATEST: s3LatestPrefix(S3_IMAGES, NODE),
};

describe('the upload step (against a stand-in aws command)', () => {
  it('copies the whole output directory to the dated key first, tags each of its objects for expiry, then copies to latest, with commit and node metadata', () => {
    const upload = step(build, 'Upload to S3');
    const r = runStep(upload.run!, { ...stamped, ...upload.env }, outDir);
    expect(r.status, r.stderr).toBe(0);
    const dated = stamped.S3_DATED.replace(`s3://${example.aws.bucket}/`, '');
    const tagging = `TagSet=[{Key=${TAG.key},Value=${TAG.value}}]`;
    expect(r.awsCalls.map((c) => (c[1] === 'cp' ? c.slice(0, 4) : c))).toEqual([
      ['s3', 'cp', 'out/', stamped.S3_DATED],
      ...[`${NODE}.img.zst`, `${NODE}.img.zst.sha256`, 'image-info.json']
        .sort()
        .map((f) => [
          's3api',
          'put-object-tagging',
          '--bucket',
          example.aws.bucket,
          '--key',
          `${dated}${f}`,
          '--tagging',
          tagging,
        ]),
      ['s3', 'cp', 'out/', stamped.S3_LATEST],
    ]);
    for (const call of r.awsCalls.filter((c) => c[1] === 'cp')) {
      expect(call).toContain('--recursive');
      const metadata = JSON.parse(call[call.indexOf('--metadata') + 1]);
      expect(metadata).toEqual({
        'git-commit': SHA,
        'node-name': NODE,
        'build-id': stamped.BUILD_ID,
        'build-time': stamped.BUILD_TIME,
      });
    }
  });

  it('fails the step when aws fails', () => {
    const failing = (dir: string) => {
      outDir(dir);
      writeFileSync(
        join(dir, 'bin', 'aws'),
        '#!/usr/bin/env bash\n# Stand-in for the AWS CLI that is denied.\nexit 1\n',
      );
    };
    expect(
      runStep(step(build, 'Upload to S3').run!, { ...stamped, ...step(build, 'Upload to S3').env }, failing).status,
    ).not.toBe(0);
  });
});

describe('the attestation bundle step', () => {
  const put = step(build, 'Put the attestation bundle');
  // A stand-in for the bundle attest-build-provenance writes (its bundle-path output).
  const withBundle = (dir: string) => {
    outDir(dir);
    writeFileSync(join(dir, 'temp', 'bundle.json'), '{"stand-in": "sigstore bundle"}\n');
  };

  it('copies the bundle into the output directory (so the upload stores it under both keys)', () => {
    const r = runStep(put.run!, { ...stamped, BUNDLE_PATH: 'temp/bundle.json' }, withBundle);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(` ${ATTESTATION_BUNDLE.replace(/\./g, '\\.')}\n`));
  });

  it('fails the build when there is no bundle', () => {
    const r = runStep(put.run!, { ...stamped, BUNDLE_PATH: 'temp/missing.json' }, outDir);
    expect(r.status).not.toBe(0);
  });
});

describe('the summary step', () => {
  const summary = step(build, 'Write the step summary');

  it("reports each file's size, the checksum and both S3 paths after an upload", () => {
    const r = runStep(
      summary.run!,
      { ...stamped, UPLOAD_OUTCOME: 'success', PUBLISH_REF: summary.env!.PUBLISH_REF },
      outDir,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.summary).toContain(`## Worker image ${NODE}`);
    expect(r.summary).toContain(`| \`${NODE}.img.zst\` | 3.0MiB (3145728 bytes) |`);
    expect(r.summary).toContain(`${'a'.repeat(64)}  ${NODE}.img.zst`);
    expect(r.summary).toContain(`Uploaded to \`${stamped.S3_DATED}\` and \`${stamped.S3_LATEST}\`.`);
    expect(r.summary).toContain('Packer build finished after 21 minutes 7 seconds.');
  });

  it('says the image was not uploaded when the run was not on the publishing branch', () => {
    const publishRef = `refs/heads/${example.aws.branch}`;
    expect(summary.env!.PUBLISH_REF).toBe(publishRef);
    const r = runStep(
      summary.run!,
      { ...stamped, GITHUB_REF: 'refs/heads/topic', UPLOAD_OUTCOME: 'skipped', PUBLISH_REF: publishRef },
      outDir,
    );
    expect(r.summary).toContain(
      `Not uploaded: only runs on \`${publishRef}\` publish to S3 (this run: \`refs/heads/topic\`).`,
    );
  });
});
