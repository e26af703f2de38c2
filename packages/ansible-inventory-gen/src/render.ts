import type { Cluster } from '@lolice/node-model';
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
