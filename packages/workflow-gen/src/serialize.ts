import { isScalar, visit } from 'yaml';
import { yamlDocument, yamlText } from '@lolice/node-model';
import { versionOf } from './pins';
import type { Workflow } from './types';

/**
 * YAML text of a workflow (node-model's YAML, read alike by YAML 1.1 and 1.2 readers): keys in
 * the order the objects were built, block literals for scripts, no line folding, and the release
 * tag of every pinned action as a comment after its `uses:` (`uses: owner/name@<sha> # v1.2.3`).
 */
export function toYaml(workflow: Workflow): string {
  const doc = yamlDocument(workflow);
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'uses' || !isScalar(pair.value)) return;
      const version = versionOf(String(pair.value.value));
      if (version === undefined) throw new Error(`uses: ${String(pair.value.value)} is not an action of ACTION_PINS`);
      pair.value.comment = ` ${version}`;
    },
  });
  return yamlText(doc);
}
