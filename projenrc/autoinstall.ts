import { HTTP_FILES, render } from '@lolice/autoinstall-gen';
import type { Cluster } from '@lolice/node-model';
import { HTTP_DIR, PACKER_DIR } from '@lolice/packer-gen';
import { Component, type Project } from 'projen';
import { GeneratedTextFile } from './generated-text-file';

/** `packer/x86_64/http/{user-data,meta-data}`: what Packer serves to Ubuntu's installer. */
export class AutoinstallFiles extends Component {
  constructor(project: Project, cluster: Cluster) {
    super(project, 'autoinstall-files');
    const files = render(cluster);
    const path = (name: string) => `${PACKER_DIR}/${HTTP_DIR}/${name}`;
    // `#cloud-config` must stay the first line: the marker goes after it.
    new GeneratedTextFile(project, path(HTTP_FILES.userData), { content: files.userData, comment: (m) => `# ${m}`, markerAfterLine: 1 });
    new GeneratedTextFile(project, path(HTTP_FILES.metaData), { content: files.metaData, comment: (m) => `# ${m}` });
  }
}
