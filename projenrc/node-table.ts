import type { Project } from 'projen';
import { NODE_TABLE_FILE, renderNodeTable, type Cluster } from '@lolice/node-model';
import { GeneratedTextFile } from './generated-text-file';

/** `generated/nodes.md`: the node table linked from the README (rendered by node-model). */
export class NodeTable extends GeneratedTextFile {
  constructor(project: Project, cluster: Cluster) {
    super(project, NODE_TABLE_FILE, { content: renderNodeTable(cluster), comment: (m) => `<!-- ${m} -->` });
  }
}
