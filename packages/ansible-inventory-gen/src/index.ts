export * from './types';
export { INVENTORY_DIR, HOSTS_PATH, groupVarsPath, GROUP_OF_ROLE } from './paths';
export { renderHosts } from './render-hosts';
export { renderClusterFacts, renderWorkerFacts } from './render-group-vars';
export { render, renderYaml } from './render';
