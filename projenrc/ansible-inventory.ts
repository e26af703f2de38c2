import { Component, YamlFile, type Project } from 'projen';
import { render } from '@lolice/ansible-inventory-gen';
import type { Cluster } from '@lolice/node-model';

/**
 * The production Ansible inventory (`ansible/inventories/production/`):
 * `hosts.yml` and the group variables beside it, rendered from the model.
 */
export class AnsibleInventory extends Component {
  constructor(project: Project, cluster: Cluster) {
    super(project, 'ansible-inventory');
    for (const [path, obj] of Object.entries(render(cluster))) new YamlFile(project, path, { obj });
  }
}
