import { Component, type Project } from 'projen';
import type { Cluster } from '@lolice/node-model';
import { render } from '@lolice/workflow-gen';
import { GeneratedTextFile } from './generated-text-file';

/**
 * `.github/workflows/build-worker-images.yml` and `.github/workflows/ci.yml`,
 * rendered by workflow-gen (YAML with version comments after each pinned action).
 */
export class Workflows extends Component {
  constructor(project: Project, cluster: Cluster) {
    super(project, 'workflows');
    for (const workflow of render(cluster)) {
      new GeneratedTextFile(project, workflow.path, { content: workflow.yaml, comment: (m) => `# ${m}` });
    }
  }
}
