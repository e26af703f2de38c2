/**
 * The subset of Packer's `templatefile()` syntax (HCL string templates) the
 * user-data uses: `${name}` interpolates a template variable; `$${` and `%%{`
 * are a literal `${` and `%{`; any other `${...}` or `%{...}` is an error.
 */

/** Escapes literal text so that `templatefile()` renders it unchanged. */
export function escapeTemplateText(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** A template interpolation of one variable, e.g. `${password_hash}`. */
export const templateVar = (name: string): string => `\${${name}}`;

/** Names of the variables a template interpolates, in order of appearance (duplicates kept). */
export function templateVarNames(template: string): string[] {
  const names: string[] = [];
  renderTemplate(template, new Proxy({}, { get: (_t, name: string) => (names.push(name), ''), has: () => true }));
  return names;
}

/**
 * Renders a template as `templatefile()` would: variables substituted, escapes
 * resolved. Throws on an unknown variable, an expression or a directive.
 */
export function renderTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i) || template.startsWith('%%{', i)) {
      out += template[i] + '{';
      i += 3;
    } else if (template.startsWith('${', i)) {
      const end = template.indexOf('}', i);
      const name = end < 0 ? '' : template.slice(i + 2, end).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new Error(`unsupported template expression at offset ${i}: ${template.slice(i, i + 40)}`);
      }
      if (!(name in vars)) throw new Error(`template variable "${name}" has no value`);
      out += vars[name];
      i = end + 1;
    } else if (template.startsWith('%{', i)) {
      throw new Error(`unsupported template directive at offset ${i}: ${template.slice(i, i + 40)}`);
    } else {
      out += template[i];
      i += 1;
    }
  }
  return out;
}
