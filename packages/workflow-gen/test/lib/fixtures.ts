import type { Job, Step, Workflow } from '../../src';

/** The job `id` of a workflow, or a test failure naming it. */
export function job(workflow: Workflow, id: string): Job {
  const found = workflow.jobs[id];
  if (!found) throw new Error(`no job ${id} (jobs: ${Object.keys(workflow.jobs).join(', ')})`);
  return found;
}

/** Index of the first step whose name starts with `prefix`, or a test failure naming it. */
export function stepIndex(j: Job, prefix: string): number {
  const i = j.steps.findIndex((s) => s.name.startsWith(prefix));
  if (i < 0) throw new Error(`no step "${prefix}..." (steps: ${j.steps.map((s) => s.name).join(' | ')})`);
  return i;
}

export const step = (j: Job, prefix: string): Step => j.steps[stepIndex(j, prefix)];
