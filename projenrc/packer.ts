import { Component, type Project } from 'projen';
import type { Cluster } from '@lolice/node-model';
import { PACKER_DIR, PACKER_LINKS, render } from '@lolice/packer-gen';
import { GeneratedTextFile } from './generated-text-file';

/** `packer/x86_64/*.pkr.hcl`: the worker image templates, rendered by packer-gen. */
export class PackerTemplates extends Component {
  constructor(project: Project, cluster: Cluster) {
    super(project, 'packer-templates');
    for (const [name, content] of Object.entries(render(cluster, PACKER_LINKS))) {
      new GeneratedTextFile(project, `${PACKER_DIR}/${name}`, { content, comment: (m) => `# ${m}` });
    }
  }
}
