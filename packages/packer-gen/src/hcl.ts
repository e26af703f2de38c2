/**
 * A small HCL writer for Packer templates. It emits the canonical layout of
 * `packer fmt` / hclwrite: two-space indent, and the `=` of consecutive
 * one-line attributes aligned; a comment, a blank line, a nested block or an
 * attribute whose value spans lines (list, object) ends an alignment group.
 */

/** An HCL expression. */
export type Expr =
  | { readonly kind: 'inline'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly Expr[] }
  | { readonly kind: 'object'; readonly body: readonly BodyItem[] }
  | { readonly kind: 'heredoc'; readonly lines: readonly string[] };

/** An item of a block or object body. */
export type BodyItem =
  | { readonly kind: 'attr'; readonly name: string; readonly value: Expr }
  | {
      readonly kind: 'block';
      readonly type: string;
      readonly labels: readonly string[];
      readonly body: readonly BodyItem[];
    }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'blank' };

/** Escapes text for an HCL quoted string: quotes, backslashes, newlines, and `${`/`%{` (literal, not interpolated). */
const escapeLiteral = (s: string): string =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');

/** A string literal: the value is taken as is (no interpolation). */
export const str = (s: string): Expr => ({ kind: 'inline', text: `"${escapeLiteral(s)}"` });
/** A string template: `${...}` in it is an HCL interpolation (quotes and backslashes still escaped). */
export const tmpl = (s: string): Expr => ({
  kind: 'inline',
  text: `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
});
/** Any one-line expression, written verbatim (references, function calls, numbers, booleans). */
export const raw = (text: string): Expr => ({ kind: 'inline', text });
export const num = (n: number): Expr => raw(String(n));
export const bool = (b: boolean): Expr => raw(String(b));
/** A one-line list: `["a", "b"]`. */
export const inlineList = (items: readonly Expr[]): Expr => raw(`[${items.map(inlineText).join(', ')}]`);
/** A list with one item a line. */
export const list = (items: readonly Expr[]): Expr => ({ kind: 'list', items });
/** An object with one attribute a line. */
export const object = (body: readonly BodyItem[]): Expr => ({ kind: 'object', body });
/** An indented heredoc (`<<-EOT`); `${` and `%{` in the lines are escaped. */
export const heredoc = (lines: readonly string[]): Expr => ({
  kind: 'heredoc',
  lines: lines.map((l) => l.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{')),
});

export const attr = (name: string, value: Expr): BodyItem => ({ kind: 'attr', name, value });
export const block = (type: string, labels: readonly string[], body: readonly BodyItem[]): BodyItem => ({
  kind: 'block',
  type,
  labels,
  body,
});
export const comment = (text: string): BodyItem => ({ kind: 'comment', text });
export const blank: BodyItem = { kind: 'blank' };

/** The text of a one-line expression. */
export function inlineText(e: Expr): string {
  if (e.kind !== 'inline') throw new Error(`a ${e.kind} cannot be written on one line`);
  return e.text;
}

const pad = (depth: number) => '  '.repeat(depth);

/** Lines of a value that starts after `name = ` at `depth`. */
function valueLines(value: Expr, depth: number): string[] {
  switch (value.kind) {
    case 'inline':
      return [value.text];
    case 'list':
      return ['[', ...value.items.map((item) => `${pad(depth + 1)}${inlineText(item)},`), `${pad(depth)}]`];
    case 'object':
      return ['{', ...bodyLines(value.body, depth + 1), `${pad(depth)}}`];
    case 'heredoc':
      return ['<<-EOT', ...value.lines.map((l) => (l === '' ? '' : `${pad(depth + 1)}${l}`)), `${pad(depth)}EOT`];
  }
}

/** Whether an attribute joins an alignment group: its first line ends with its value or opens a heredoc. */
const aligns = (item: BodyItem): boolean =>
  item.kind === 'attr' && (item.value.kind === 'inline' || item.value.kind === 'heredoc');

/** Width of the name column of each aligned attribute, by body index. */
function nameWidths(body: readonly BodyItem[]): Map<number, number> {
  const widths = new Map<number, number>();
  let group: number[] = [];
  const close = () => {
    const width = Math.max(...group.map((i) => (body[i] as { name: string }).name.length));
    for (const i of group) widths.set(i, width);
    group = [];
  };
  body.forEach((item, i) => {
    if (item.kind === 'attr' && aligns(item)) {
      group.push(i);
      if (item.value.kind === 'heredoc') close(); // the heredoc's lines end the group
    } else if (group.length > 0) {
      close();
    }
  });
  if (group.length > 0) close();
  return widths;
}

/** Lines of a body at `depth`. */
export function bodyLines(body: readonly BodyItem[], depth: number): string[] {
  const widths = nameWidths(body);
  return body.flatMap((item, i): string[] => {
    switch (item.kind) {
      case 'blank':
        return [''];
      case 'comment':
        return item.text.split('\n').map((l) => `${pad(depth)}#${l === '' ? '' : ` ${l}`}`);
      case 'block': {
        const head = [item.type, ...item.labels.map((l) => `"${l}"`)].join(' ');
        return [`${pad(depth)}${head} {`, ...bodyLines(item.body, depth + 1), `${pad(depth)}}`];
      }
      case 'attr': {
        const [first, ...rest] = valueLines(item.value, depth);
        return [`${pad(depth)}${item.name.padEnd(widths.get(i) ?? 0)} = ${first}`, ...rest];
      }
    }
  });
}

/** A whole file: top-level items separated as given, ending with a newline. */
export const file = (items: readonly BodyItem[]): string => `${bodyLines(items, 0).join('\n')}\n`;
