import type { Cluster } from '@lolice/node-model';
import { assertWorkflowLimits } from './limits';
import { renderBuildWorkflow } from './render-build-workflow';
import { renderCiWorkflow } from './render-ci-workflow';
import { toYaml } from './serialize';
import { WORKFLOW_PATHS } from './settings';
import type { RenderedWorkflow } from './types';

/** Pure: the workflows of a cluster, as objects and YAML text (without the projen marker). Throws over GitHub's limits. */
export function render(c: Cluster): RenderedWorkflow[] {
  assertWorkflowLimits(c);
  return [
    { path: WORKFLOW_PATHS.build, workflow: renderBuildWorkflow(c) },
    { path: WORKFLOW_PATHS.ci, workflow: renderCiWorkflow(c) },
  ].map(({ path, workflow }) => ({ path, workflow, yaml: toYaml(workflow) }));
}
