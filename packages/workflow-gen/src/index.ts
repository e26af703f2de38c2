export * from './types';
export { ACTION_PINS, TOOL_VERSIONS, usesOf, versionOf, type ActionPin } from './pins';
export * from './settings';
export { renderBuildWorkflow, imageWorkers, ALL_NODES } from './render-build-workflow';
export { publishRef, roleArn, s3Images } from './build-steps';
export { renderCiWorkflow } from './render-ci-workflow';
export { toYaml } from './serialize';
export { checkWorkflowPolicy, type PolicyViolation } from './policy';
export { render } from './render';
