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
    if (step.uses?.startsWith('actions/upload-artifact@')) {
      add(where, 'no-artifacts', 'uploads a GitHub artifact (images hold cluster access material: S3 only)');
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
