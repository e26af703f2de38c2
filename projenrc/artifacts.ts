import type { Project } from 'projen';
import type { Cluster } from '@lolice/node-model';
import { AnsibleInventory } from './ansible-inventory';
import { AutoinstallFiles } from './autoinstall';
import { ImageLocationsFile } from './image-locations';
import { NodeTable } from './node-table';
import { PackerTemplates } from './packer';
import { WorkerNodeImagesTerraform } from './terraform';
import { Workflows } from './workflows';

/** Every generated artifact: each component writes what one package renders from the model. */
export function addGeneratedArtifacts(project: Project, cluster: Cluster): void {
  new NodeTable(project, cluster);
  new ImageLocationsFile(project, cluster);
  new AnsibleInventory(project, cluster);
  new PackerTemplates(project, cluster);
  new AutoinstallFiles(project, cluster);
  new Workflows(project, cluster);
  new WorkerNodeImagesTerraform(project, cluster);
}
