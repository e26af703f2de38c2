/**
 * Small readers of this repository's Markdown: a section by its heading, the items of a
 * numbered list, inline code spans and relative links. Enough for the README's recipes and
 * the link check; not a Markdown parser.
 */

/** Lines outside fenced code blocks (```), with their fences removed. */
function prose(lines: readonly string[]): string[] {
  let fenced = false;
  return lines.filter((l) => {
    if (/^\s*```/.test(l)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** The body of the section whose heading text is `title` (any level), up to the next heading of the same or a higher level. */
export function section(markdown: string, title: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) =>
    new RegExp(`^#{1,6} ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`).test(l),
  );
  if (start < 0) throw new Error(`no section "${title}"`);
  const level = /^#+/.exec(lines[start])![0].length;
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level}} `).test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The items of the section's numbered list, in order, each with its continuation lines (code blocks dropped). */
export function numberedItems(body: string): string[] {
  const items: string[] = [];
  for (const line of prose(body.split('\n'))) {
    const start = /^(\d+)\. (.*)$/.exec(line);
    if (start) items.push(start[2]);
    else if (items.length > 0 && /^\s+\S/.test(line)) items[items.length - 1] += ` ${line.trim()}`;
    else if (items.length > 0 && line.trim() !== '') break; // the list ended
  }
  return items;
}

/** Inline code spans of a text, in order. */
export const codeSpans = (text: string): string[] => [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);

/** Targets of the Markdown links `[text](target)` outside code blocks and code spans. */
export function linkTargets(markdown: string): string[] {
  const text = prose(markdown.split('\n'))
    .join('\n')
    .replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
}

/** A relative link's file part (no `#anchor`), or undefined for absolute URLs and pure anchors. */
export function relativeTarget(target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return undefined;
  return decodeURIComponent(target.split('#')[0]);
}
