import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILD_ANSIBLE_PLAYBOOK, exampleCluster, PACKER_CACHE_DIR } from '@lolice/node-model';
import { ACTION_PINS, checkWorkflowPolicy, renderBuildWorkflow, usesOf, type Step, type Workflow } from '../src';
import { MAX_ARTIFACT_RETENTION_DAYS } from '../src/policy';
import { BUILD_LOGS, MIN_FREE_DISK_GIB } from '../src/settings';
import { job, step, stepIndex } from './lib/fixtures';
import { runStep } from './lib/run-step';

// Issue 17: a failed image build can be debugged from GitHub alone, and the first real build's
// known risks are closed in the workflow. On the example model (not the production one).
const workflow = renderBuildWorkflow(exampleCluster);
const build = job(workflow, 'build');
const REPO = resolve(__dirname, '../../..');

const oneStep = (s: Step): Workflow => ({
  name: 'x',
  on: { push: {} },
  permissions: { contents: 'read' },
  defaults: { run: { shell: 'bash' } },
  jobs: {
    only: {
      name: 'only',
      'runs-on': 'ubuntu-24.04',
      permissions: { contents: 'read' },
      'timeout-minutes': 5,
      steps: [s],
    },
  },
});
const upload = step(build, 'Upload the failed build');
const rules = (s: Step) => checkWorkflowPolicy(oneStep(s)).map((v) => v.rule);

describe("the failed build's logs artifact", () => {
  it('is uploaded only on failure, by actions/upload-artifact pinned to a full commit SHA, kept at most 14 days', () => {
    expect(upload.if).toBe('failure()');
    expect(upload.uses).toBe(usesOf(ACTION_PINS.uploadArtifact));
    expect(upload.uses).toMatch(/^actions\/upload-artifact@[0-9a-f]{40}$/);
    expect(upload.with!['retention-days']).toBeLessThanOrEqual(14);
    expect(upload.with!.path).toBe(`\${{ runner.temp }}/${BUILD_LOGS.artifact}`);
    expect(checkWorkflowPolicy(workflow)).toEqual([]);
  });

  it.each([
    ['on success too', { ...upload, if: undefined }],
    ['kept 30 days', { ...upload, with: { ...upload.with!, 'retention-days': 30 } }],
    [
      `kept ${MAX_ARTIFACT_RETENTION_DAYS + 1} days`,
      { ...upload, with: { ...upload.with!, 'retention-days': MAX_ARTIFACT_RETENTION_DAYS + 1 } },
    ],
    ['without a retention', { ...upload, with: { name: 'x', path: upload.with!.path } }],
    ['the raw image', { ...upload, with: { ...upload.with!, path: 'packer/x86_64/output-golyat-1/golyat-1.img' } }],
    ['the post-processed outputs', { ...upload, with: { ...upload.with!, path: '${{ runner.temp }}/image-golyat-1' } }],
    ['a glob', { ...upload, with: { ...upload.with!, path: '${{ runner.temp }}/*' } }],
    [
      'two paths',
      { ...upload, with: { ...upload.with!, path: '${{ runner.temp }}/build-logs\n${{ runner.temp }}/x' } },
    ],
    ['the whole temp dir', { ...upload, with: { ...upload.with!, path: '${{ runner.temp }}' } }],
  ])('the policy refuses an artifact %s', (_what, bad) => {
    expect(rules(bad as Step)).toContain('logs-only-artifacts');
  });

  it("the packer build step has PACKER_LOG on and writes Packer's log and the serial console to the raw log dir", () => {
    const s = step(build, 'packer build');
    expect(s.env).toMatchObject({ PACKER_LOG: '1' });
    expect(s.run).toContain(`export PACKER_LOG_PATH="\${RUNNER_TEMP}/${BUILD_LOGS.raw}/packer.log"`);
    expect(s.run).toContain(`-var "console_log=\${RUNNER_TEMP}/${BUILD_LOGS.raw}/console.log"`);
  });
});

describe('GIVEN a packer build that fails (a stand-in packer writes logs holding the password, a bcrypt hash, and image files)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  /** Runs the generated packer build step with a stand-in `packer` that exits with `exitCode`. */
  const runBuild = (exitCode: number) => {
    const temp = mkdtempSync(join(tmpdir(), 'failed-build-'));
    dirs.push(temp);
    const bin = join(temp, 'bin');
    mkdirSync(bin);
    mkdirSync(join(temp, 'runner'));
    // STAND-IN for packer: what a real failed build leaves (console, debug log, a half-written image).
    writeFileSync(
      join(bin, 'packer'),
      `#!/usr/bin/env bash
console=''
for a in "$@"; do case $a in console_log=*) console=\${a#console_log=} ;; esac; done
hash='$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234'
printf 'Subiquity: identity password %s\\nbuild password %s\\n' "$hash" "$PKR_VAR_build_password" >"$console"
printf 'PACKER_LOG=%s\\nssh_password=%s\\n' "$PACKER_LOG" "$PKR_VAR_build_password" >"$PACKER_LOG_PATH"
head -c 1M /dev/zero >"$(dirname "$console")/golyat-1.img"
echo "Build 'qemu.worker' errored after 90 minutes: password $PKR_VAR_build_password"
exit ${exitCode}
`,
    );
    chmodSync(join(bin, 'packer'), 0o755);
    const runner = join(temp, 'runner');
    const r = runStep(
      step(build, 'packer build').run!,
      { NODE_NAME: 'example-1', PACKER_LOG: '1', RUNNER_TEMP: runner, PATH: `${bin}:${process.env.PATH}` },
      (dir) => symlinkSync(join(REPO, 'scripts'), join(dir, 'scripts')),
    );
    return { r, runner, artifact: join(runner, BUILD_LOGS.artifact) };
  };

  it("THEN the step fails, and the artifact directory holds exactly the console log, Packer's log and the build output, without the password, a hash or the image", () => {
    const { r, runner, artifact } = runBuild(1);
    expect(r.status).toBe(1);
    expect(readdirSync(artifact).sort()).toEqual(['console.log', 'packer-build.log', 'packer.log']);
    const password = readFileSync(join(runner, BUILD_LOGS.raw, 'packer.log'), 'utf8').match(/ssh_password=(\S+)/)![1];
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    for (const f of readdirSync(artifact)) {
      const text = readFileSync(join(artifact, f), 'utf8');
      expect(text, f).not.toContain(password);
      expect(text, f).not.toMatch(/\$2[aby]?\$/);
    }
    expect(readFileSync(join(artifact, 'console.log'), 'utf8')).toContain('build password <build password removed>');
    expect(readFileSync(join(artifact, 'packer.log'), 'utf8')).toContain('PACKER_LOG=1');
    expect(readFileSync(join(artifact, 'packer-build.log'), 'utf8')).toContain("Build 'qemu.worker' errored");
  });

  it('WHEN the build succeeds THEN nothing is collected', () => {
    const { r, artifact } = runBuild(0);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(artifact)).toBe(false);
  });
});

describe("the first real build's known risks, closed in the workflow", () => {
  const index = (prefix: string) => stepIndex(build, prefix);

  it('runner disk: df -h, unused toolchains removed, and the job stops before the build when less than the need is free', () => {
    const s = step(build, 'Free runner disk');
    expect(s.run).toContain('df -h /');
    expect(s.run).toContain('sudo rm -rf /usr/share/dotnet');
    expect(s.run).toContain(`${MIN_FREE_DISK_GIB} * 1024 * 1024`);
    expect(index('Free runner disk')).toBeLessThan(index('Restore the Ubuntu ISO'));
    const low = runStep(s.run!, { GITHUB_WORKSPACE: '/' }, (dir) => {
      mkdirSync(join(dir, 'bin'), { recursive: true });
      writeFileSync(join(dir, 'bin', 'sudo'), '#!/bin/sh\necho "sudo $*"\n', { mode: 0o755 });
      writeFileSync(
        join(dir, 'bin', 'df'),
        '#!/bin/sh\ncase "$*" in *avail*) printf "Avail\\n 1048576\\n" ;; *) echo "Filesystem Size" ;; esac\n',
        { mode: 0o755 },
      );
    });
    expect(low.status).not.toBe(0);
    expect(low.stdout).toContain(`an image build needs ${MIN_FREE_DISK_GIB} GiB`);
  });

  it('ISO cache: restored before packer init, saved in a separate step that runs also after a failed build', () => {
    const restore = step(build, 'Restore the Ubuntu ISO');
    const save = step(build, 'Save the Ubuntu ISO');
    expect(restore.uses).toBe(usesOf(ACTION_PINS.cache, 'restore'));
    expect(save.uses).toBe(usesOf(ACTION_PINS.cache, 'save'));
    expect(save.with).toEqual(restore.with);
    expect(restore.with!.path).toBe(PACKER_CACHE_DIR);
    expect(save.if).toMatch(/^always\(\) && steps\.iso-cache\.outputs\.cache-hit != 'true'/);
    expect(restore.id).toBe('iso-cache');
    expect(index('Restore the Ubuntu ISO')).toBeLessThan(index('packer init'));
    expect(index('Save the Ubuntu ISO')).toBeGreaterThan(index('packer build'));
    expect(build.steps.filter((s) => s.uses?.startsWith('actions/cache@'))).toEqual([]);
  });

  it('Ansible: the build logs the version of the ansible-playbook Packer runs (by path), and which one PATH would have given', () => {
    const s = step(build, 'Show the Ansible');
    expect(s.run).toContain(`${BUILD_ANSIBLE_PLAYBOOK} --version`);
    expect(s.run).toContain('command -v ansible-playbook');
    expect(index('Install QEMU')).toBeLessThan(index('Show the Ansible'));
  });
});
