import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';

/** Formats a reason as a YAML comment body (`# reason`), one line per sentence part. */
const asComment = (text: string): string => ` ${text}`;

/** Puts a comment on the line(s) before the key at `path` (a map key) or item (a sequence index). */
export function commentBefore(doc: Document, path: readonly (string | number)[], text: string): void {
  const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
    if (!pair || !isScalar(pair.key)) throw new Error(`no key ${path.join('.')}`);
    pair.key.commentBefore = asComment(text);
  } else if (isSeq(parent) && typeof last === 'number' && parent.items[last]) {
    (parent.items[last] as Node).commentBefore = asComment(text);
  } else {
    throw new Error(`nothing to comment at ${path.join('.')}`);
  }
}

/** Puts a comment at the end of the line of the scalar at `path`. */
export function commentAfter(doc: Document, path: readonly (string | number)[], text: string): void {
  const node = doc.getIn(path, true);
  if (!isScalar(node)) throw new Error(`no scalar at ${path.join('.')}`);
  node.comment = asComment(text);
}
