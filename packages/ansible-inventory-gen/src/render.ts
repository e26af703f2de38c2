import { toYaml, type Cluster } from '@lolice/node-model';
import { groupVarsPath, HOSTS_PATH } from './paths';
import { renderClusterFacts, renderWorkerFacts } from './render-group-vars';
import { renderHosts } from './render-hosts';
import type { InventoryFiles } from './types';

/** Every file of the production inventory, keyed by repository path. Pure: same model, same objects. */
export function render(c: Cluster): InventoryFiles {
  return {
    [HOSTS_PATH]: renderHosts(c),
    [groupVarsPath('control_plane')]: renderClusterFacts(c),
    [groupVarsPath('workers')]: renderWorkerFacts(c),
  };
}

/**
 * The same files as YAML text (node-model's YAML: Ansible reads YAML 1.1, so a node named `no`
 * or a user `on` are quoted), without the projen marker.
 */
export const renderYaml = (c: Cluster): Readonly<Record<string, string>> =>
  Object.fromEntries(Object.entries(render(c)).map(([path, doc]) => [path, toYaml(doc)]));
