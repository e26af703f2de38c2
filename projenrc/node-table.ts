import { renderNodeTable, type Cluster } from '@lolice/node-model';
import type { Project } from 'projen';
import { GeneratedTextFile } from './generated-text-file';

/** `generated/nodes.md`: the node table linked from the README. */
export class NodeTable extends GeneratedTextFile {
  static readonly PATH = 'generated/nodes.md';

  constructor(project: Project, cluster: Cluster) {
    super(project, NodeTable.PATH, { content: renderNodeTable(cluster), comment: (m) => `<!-- ${m} -->` });
  }
}
