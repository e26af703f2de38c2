/**
 * Edits of a repository's model file (packages/node-model/src/lolice.ts) as an operator makes
 * them: one node entry added, removed or changed, the nodes reordered, the versions moved. The
 * file is edited as TypeScript source (ts-morph), so everything else in it stays as it was.
 */
import {
  Project,
  SyntaxKind,
  type ArrayLiteralExpression,
  type ObjectLiteralExpression,
  type SourceFile,
} from 'ts-morph';
import { MODEL_EXPORT, MODEL_FILE, type ClusterNode } from '@lolice/node-model';

/** A TypeScript literal of a plain value (JSON is one). */
const literal = (value: unknown): string => JSON.stringify(value);

export class ModelFile {
  private readonly file: SourceFile;

  constructor(repoRoot: string) {
    this.file = new Project().addSourceFileAtPath(`${repoRoot}/${MODEL_FILE}`);
  }

  /** The object literal of the exported model. */
  private model(): ObjectLiteralExpression {
    return this.file
      .getVariableDeclarationOrThrow(MODEL_EXPORT)
      .getInitializerIfKindOrThrow(SyntaxKind.ObjectLiteralExpression);
  }

  /** The object literal at a dotted path of the model, e.g. `kubernetes.versions`. */
  private objectAt(path: string): ObjectLiteralExpression {
    return path
      .split('.')
      .filter(Boolean)
      .reduce(
        (o, key) =>
          o
            .getPropertyOrThrow(key)
            .asKindOrThrow(SyntaxKind.PropertyAssignment)
            .getInitializerIfKindOrThrow(SyntaxKind.ObjectLiteralExpression),
        this.model(),
      );
  }

  private nodes(): ArrayLiteralExpression {
    return this.model()
      .getPropertyOrThrow('nodes')
      .asKindOrThrow(SyntaxKind.PropertyAssignment)
      .getInitializerIfKindOrThrow(SyntaxKind.ArrayLiteralExpression);
  }

  private nodeNamed(name: string): ObjectLiteralExpression {
    const found = this.nodes()
      .getElements()
      .map((e) => e.asKindOrThrow(SyntaxKind.ObjectLiteralExpression))
      .find(
        (o) =>
          o.getProperty('name')?.asKind(SyntaxKind.PropertyAssignment)?.getInitializer()?.getText().slice(1, -1) ===
          name,
      );
    if (!found) throw new Error(`${MODEL_FILE}: no node named ${name}`);
    return found;
  }

  /** Sets `field` of the object at `path` (e.g. `kubernetes.versions`, `kubelet`) to a plain value. */
  set(path: string, field: string, value: unknown): this {
    this.objectAt(path)
      .getPropertyOrThrow(field)
      .asKindOrThrow(SyntaxKind.PropertyAssignment)
      .setInitializer(literal(value));
    return this;
  }

  /** Sets a field of the node named `name`, adding the field when the node has none. */
  setNodeField(name: string, field: keyof ClusterNode, value: unknown): this {
    const node = this.nodeNamed(name);
    const property = node.getProperty(field)?.asKindOrThrow(SyntaxKind.PropertyAssignment);
    if (property) property.setInitializer(literal(value));
    else node.addPropertyAssignment({ name: field, initializer: literal(value) });
    return this;
  }

  /** Appends one node entry, on one line, after the last one. */
  addNode(node: ClusterNode): this {
    const nodes = this.nodes();
    const last = nodes.getElements().at(-1)!;
    const comma = last.getNextSiblingIfKind(SyntaxKind.CommaToken);
    const entry = `{ ${Object.entries(node)
      .map(([k, v]) => `${k}: ${literal(v)}`)
      .join(', ')} }`;
    if (comma) this.file.insertText(comma.getEnd(), `\n${last.getIndentationText()}${entry},`);
    else nodes.addElement(entry);
    return this;
  }

  /** Removes the entry of the node named `name`. */
  removeNode(name: string): this {
    const element = this.nodeNamed(name);
    this.nodes().removeElement(element);
    return this;
  }

  /** Puts the node entries in reverse order (each entry's text unchanged). */
  reverseNodes(): this {
    const nodes = this.nodes();
    const texts = nodes.getElements().map((e) => e.getText());
    const indent = nodes.getElements()[0].getIndentationText();
    const closing = nodes.getIndentationText();
    nodes.replaceWithText(
      `[\n${texts
        .reverse()
        .map((t) => `${indent}${t},`)
        .join('\n')}\n${closing}]`,
    );
    return this;
  }

  /** Replaces a property of the model object (e.g. `name`) with raw TypeScript member text (a getter, say). */
  replaceMember(path: string, field: string, memberText: string): this {
    this.objectAt(path).getPropertyOrThrow(field).replaceWithText(memberText);
    return this;
  }

  /** Renames the model's export, as a typo would. */
  renameExport(name: string): this {
    this.file.getVariableDeclarationOrThrow(MODEL_EXPORT).getNameNode().replaceWithText(name);
    return this;
  }

  /** The edited source text. */
  text(): string {
    return this.file.getFullText();
  }

  save(): void {
    this.file.saveSync();
  }
}
