import { ModelValidationError, type Cluster, type ValidationIssue } from '@lolice/node-model';
import { ALL_NODES, imageWorkers, renderBuildWorkflow } from './render-build-workflow';
import { renderCiWorkflow } from './render-ci-workflow';
import { WORKFLOW_PATHS } from './settings';
import type { Workflow } from './types';

/** GitHub Actions runs at most this many jobs from one matrix in a workflow run. */
export const MAX_MATRIX_JOBS = 256;

/**
 * The jobs each matrix of the workflows expands to: a static matrix, the product of its lists;
 * the image workflow's build matrix, what its plan job makes of the `all` choice (every worker).
 */
export function matrixSizes(c: Cluster): { where: string; jobs: number }[] {
  const sizes = (path: string, workflow: Workflow) =>
    Object.entries(workflow.jobs).flatMap(([id, job]) => {
      if (!job.strategy) return [];
      const lists = Object.values(job.strategy.matrix);
      const jobs = lists.every(Array.isArray) ? lists.reduce((n, list) => n * list.length, 1) : imageWorkers(c).length; // fromJSON(needs.plan.outputs.nodes): at most the `all` choice
      return [{ where: `${path} job ${id}${lists.every(Array.isArray) ? '' : ` (node_name ${ALL_NODES})`}`, jobs }];
    });
  return [...sizes(WORKFLOW_PATHS.build, renderBuildWorkflow(c)), ...sizes(WORKFLOW_PATHS.ci, renderCiWorkflow(c))];
}

/** What GitHub would refuse of the rendered workflows: a matrix over MAX_MATRIX_JOBS jobs. */
export function checkWorkflowLimits(c: Cluster): ValidationIssue[] {
  const over = matrixSizes(c).filter((m) => m.jobs > MAX_MATRIX_JOBS);
  if (over.length === 0) return [];
  const jobs = Math.max(...over.map((m) => m.jobs));
  return [
    {
      path: 'nodes',
      rule: 'matrix-jobs',
      message: `${imageWorkers(c).length} workers make matrices of ${jobs} jobs (${over.map((m) => m.where).join(', ')}); GitHub runs at most ${MAX_MATRIX_JOBS} jobs per matrix`,
    },
  ];
}

/** Throws the issues of checkWorkflowLimits, as the model's validation does. */
export function assertWorkflowLimits(c: Cluster): void {
  const issues = checkWorkflowLimits(c);
  if (issues.length > 0) throw new ModelValidationError(issues);
}
