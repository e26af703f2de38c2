import { Component, type Project } from 'projen';
import { HTTP_FILES, render } from '@lolice/autoinstall-gen';
import { PACKER_HTTP_DIR, type Cluster } from '@lolice/node-model';
import { GeneratedTextFile } from './generated-text-file';

/** `packer/x86_64/http/{user-data,meta-data}`: what Packer serves to Ubuntu's installer, rendered by autoinstall-gen. */
export class AutoinstallFiles extends Component {
  constructor(project: Project, cluster: Cluster) {
    super(project, 'autoinstall-files');
    const files = render(cluster);
    // `#cloud-config` must stay the first line: the marker goes after it.
    new GeneratedTextFile(project, `${PACKER_HTTP_DIR}/${HTTP_FILES.userData}`, {
      content: files.userData,
      comment: (m) => `# ${m}`,
      markerAfterLine: 1,
    });
    new GeneratedTextFile(project, `${PACKER_HTTP_DIR}/${HTTP_FILES.metaData}`, {
      content: files.metaData,
      comment: (m) => `# ${m}`,
    });
  }
}
