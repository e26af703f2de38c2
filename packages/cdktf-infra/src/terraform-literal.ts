/**
 * Terraform reads every string of its JSON syntax as a template: `${...}` interpolates and
 * `%{...}` is a directive, so a model value would be evaluated at plan time. `$${` and `%%{`
 * are the template syntax's escapes for a literal `${` and `%{`.
 */
export const terraformLiteral = (text: string): string => text.replace(/\$\{/g, '$$${').replace(/%\{/g, '%%{');

/**
 * `value` with every string in it (object values and array items, at any depth) made a Terraform
 * literal. The stack applies it to its whole config, the one way the model's values reach cdktf.
 */
export function terraformLiterals<T>(value: T): T {
  if (typeof value === 'string') return terraformLiteral(value) as T;
  if (Array.isArray(value)) return value.map(terraformLiterals) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [terraformLiteral(k), terraformLiterals(v)])) as T;
  }
  return value;
}
