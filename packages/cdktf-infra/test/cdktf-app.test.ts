import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalize, STACK_NAME, TERRAFORM_DIR, TERRAFORM_FILE } from '../src';

const PACKAGE_DIR = join(__dirname, '..');
const REPO_ROOT = join(PACKAGE_DIR, '../..');

describe('the cdktf app of cdktf.json (what `cdktf synth | diff | deploy` run)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdktf-infra-app-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesizes the committed Terraform, metadata aside', () => {
    // GIVEN the app command of cdktf.json, run the way the cdktf CLI runs it (CDKTF_OUTDIR set)
    const { app } = JSON.parse(readFileSync(join(PACKAGE_DIR, 'cdktf.json'), 'utf8'));
    execSync(app, { cwd: PACKAGE_DIR, env: { ...process.env, CDKTF_OUTDIR: outdir }, stdio: 'pipe' });
    // THEN its stack equals the committed file once both drop their comments
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks)).toEqual([STACK_NAME]);
    const synthesized = JSON.parse(
      readFileSync(join(outdir, manifest.stacks[STACK_NAME].synthesizedStackPath), 'utf8'),
    );
    const committed = JSON.parse(readFileSync(join(REPO_ROOT, TERRAFORM_DIR, TERRAFORM_FILE), 'utf8'));
    expect(synthesized['//'].metadata.version).toMatch(/^\d+\.\d+\.\d+$/); // what render() leaves out
    expect(canonicalize(synthesized)).toEqual(canonicalize(committed));
  });
});
