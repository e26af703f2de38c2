import { describe, expect, it } from 'vitest';
import { escapeTemplateText, renderTemplate, templateVar, templateVarNames } from '../src';

describe("Packer's templatefile() syntax", () => {
  it('escapes ${ and %{ so that rendering gives the text back unchanged', () => {
    // GIVEN shell and systemd text with sequences HCL templates would interpret
    const text = 'echo ${HOME} $$ %{ if } $${already} 100%';
    // WHEN escaped THEN rendering returns it byte for byte
    const escaped = escapeTemplateText(text);
    expect(escaped).toBe('echo $${HOME} $$ %%{ if } $$${already} 100%');
    expect(renderTemplate(escaped, {})).toBe(text);
  });

  it('substitutes variables and lists them', () => {
    const template = `a ${templateVar('x')} b $\${y} ${templateVar('x')}`;
    expect(templateVarNames(template)).toEqual(['x', 'x']);
    expect(renderTemplate(template, { x: '1' })).toBe('a 1 b ${y} 1');
  });

  it('refuses what it cannot render as Packer would: unknown variables, expressions, directives', () => {
    expect(() => renderTemplate('${nope}', {})).toThrow('template variable "nope" has no value');
    expect(() => renderTemplate('${upper(x)}', { x: 'a' })).toThrow('unsupported template expression');
    expect(() => renderTemplate('%{ if true }x%{ endif }', {})).toThrow('unsupported template directive');
  });
});
