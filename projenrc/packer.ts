import { GROUP_OF_ROLE, groupVarsPath } from '@lolice/ansible-inventory-gen';
import { BUILD_SUDOERS_FILE, HTTP_FILES, TEMPLATE_VARS } from '@lolice/autoinstall-gen';
import type { Cluster } from '@lolice/node-model';
import { PACKER_DIR, render, type PackerLinks } from '@lolice/packer-gen';
import { Component, type Project } from 'projen';
import { GeneratedTextFile } from './generated-text-file';

/** The names and paths the templates share with the autoinstall files and the Ansible inventory. */
export const packerLinks = (): PackerLinks => ({
  http: { userData: HTTP_FILES.userData, metaData: HTTP_FILES.metaData, hostnameVar: TEMPLATE_VARS.hostname, passwordHashVar: TEMPLATE_VARS.passwordHash },
  buildSudoersFile: BUILD_SUDOERS_FILE,
  ansible: { workerGroup: GROUP_OF_ROLE.worker, workerGroupVars: groupVarsPath(GROUP_OF_ROLE.worker) },
});

/** `packer/x86_64/*.pkr.hcl`: the worker image templates, rendered from the model. */
export class PackerTemplates extends Component {
  constructor(project: Project, cluster: Cluster) {
    super(project, 'packer-templates');
    for (const [name, content] of Object.entries(render(cluster, packerLinks()))) {
      new GeneratedTextFile(project, `${PACKER_DIR}/${name}`, { content, comment: (m) => `# ${m}` });
    }
  }
}
