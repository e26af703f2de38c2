import type { Job, Workflow } from './types';

/** One broken rule of the workflow policy: where, which rule, what is wrong. */
export interface PolicyViolation {
  /** e.g. `jobs.build.steps[3]` */
  readonly where: string;
  readonly rule: string;
  readonly message: string;
}

/** `owner/name[/path]@<40 hex>`: a full commit SHA, never a tag or branch. */
const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/;

/** Any `${{ ... }}` expression. Inside `run:` it would be pasted into the script before the shell sees it. */
const EXPRESSION = /\$\{\{[^}]*\}\}/g;

/**
 * Scopes and levels a job may ask for: `id-token: write` only where AWS credentials are
 * configured or an attestation is signed, `attestations: write` only where one is.
 */
const READ_ONLY = new Set(['contents:read']);

const AWS_CREDENTIALS_ACTION = 'aws-actions/configure-aws-credentials@';
const UPLOAD_ARTIFACT_ACTION = 'actions/upload-artifact@';

/** Longest a workflow artifact may be kept (days): only a failed build's logs, for debugging. */
export const MAX_ARTIFACT_RETENTION_DAYS = 14;

/** A path an artifact may not reach: images and their outputs (cluster access material), globs, the whole temp dir. */
const IMAGE_LIKE = /(\.img|\.zst|\.bmap|\.raw|\.qcow2|image-|output-|packer_cache)|[*?[\]]/;

/**
 * Artifacts are allowed for one thing: a failed build's logs. Only on failure, kept at most
 * MAX_ARTIFACT_RETENTION_DAYS days, one explicit directory that is no image, no output and no glob.
 */
function artifactProblems(step: { if?: string; with?: Readonly<Record<string, string | number | boolean>> }): string[] {
  const problems: string[] = [];
  if (!/\bfailure\(\)/.test(step.if ?? '')) {
    problems.push("runs also when the job succeeds (if: failure() only: a failed build's logs)");
  }
  const days = step.with?.['retention-days'];
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_ARTIFACT_RETENTION_DAYS) {
    problems.push(`retention-days ${String(days)}: must be 1..${MAX_ARTIFACT_RETENTION_DAYS}`);
  }
  const path = String(step.with?.path ?? '');
  const lines = path.split('\n').filter((l) => l.trim() !== '');
  if (
    lines.length !== 1 ||
    IMAGE_LIKE.test(path) ||
    !/^\$\{\{ runner\.temp \}\}\/[A-Za-z0-9._-]+\/?$/.test(lines[0].trim())
  ) {
    problems.push(
      `path ${JSON.stringify(path)}: one directory under the runner's temp dir, no image, output or glob (images hold cluster access material: S3 only)`,
    );
  }
  return problems;
}
const ATTEST_ACTION = 'actions/attest-build-provenance@';

function checkJob(id: string, job: Job): PolicyViolation[] {
  const at = `jobs.${id}`;
  const found: PolicyViolation[] = [];
  const add = (where: string, rule: string, message: string) => found.push({ where, rule, message });
  if (job.permissions === undefined) {
    add(at, 'job-permissions', 'declares no permissions (it would get the repository default token)');
  } else {
    const uses = (action: string) => job.steps.some((s) => s.uses?.startsWith(action));
    const reachesAws = uses(AWS_CREDENTIALS_ACTION);
    const attests = uses(ATTEST_ACTION);
    for (const [scope, level] of Object.entries(job.permissions)) {
      const grant = `${scope}:${level}`;
      if (READ_ONLY.has(grant) || level === 'none') continue;
      if (grant === 'id-token:write' && (reachesAws || attests)) continue;
      if (grant === 'attestations:write' && attests) continue;
      add(`${at}.permissions`, 'least-permissions', `${scope}: ${level} is more than this job needs`);
    }
  }
  if (job['timeout-minutes'] === undefined) add(at, 'job-timeout', 'has no timeout-minutes (the default is 6 hours)');
  job.steps.forEach((step, i) => {
    const where = `${at}.steps[${i}]`;
    if (step.uses !== undefined && !PINNED.test(step.uses)) {
      add(where, 'pinned-action', `uses ${step.uses}: not pinned to a full 40-hex commit SHA`);
    }
    if (step.uses?.startsWith(UPLOAD_ARTIFACT_ACTION)) {
      for (const problem of artifactProblems(step)) {
        add(where, 'logs-only-artifacts', `uploads a GitHub artifact that ${problem}`);
      }
    }
    for (const expression of step.run?.match(EXPRESSION) ?? []) {
      add(where, 'no-expression-in-run', `${expression} inside run: pass it through env: instead`);
    }
    if (step.run !== undefined && /\|\s*tee\b/.test(step.run) && !/set -o pipefail/.test(step.run)) {
      add(where, 'pipefail-with-tee', 'pipes through tee without set -o pipefail (a failed build would look green)');
    }
  });
  return found;
}

/** Every policy violation of a workflow; empty when it follows the policy. */
export function checkWorkflowPolicy(workflow: Workflow): PolicyViolation[] {
  return Object.entries(workflow.jobs).flatMap(([id, job]) => checkJob(id, job));
}
