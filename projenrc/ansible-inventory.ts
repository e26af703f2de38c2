import { Component, type Project } from 'projen';
import { renderYaml } from '@lolice/ansible-inventory-gen';
import type { Cluster } from '@lolice/node-model';
import { GeneratedTextFile } from './generated-text-file';

/**
 * The production Ansible inventory (`ansible/inventories/production/`):
 * `hosts.yml` and the group variables beside it, rendered from the model as YAML that
 * Ansible's YAML 1.1 reads as it was meant.
 */
export class AnsibleInventory extends Component {
  constructor(project: Project, cluster: Cluster) {
    super(project, 'ansible-inventory');
    for (const [path, content] of Object.entries(renderYaml(cluster))) {
      new GeneratedTextFile(project, path, { content, comment: (m) => `# ${m}` });
    }
  }
}
