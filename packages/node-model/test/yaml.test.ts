import { describe, expect, it } from 'vitest';
import { readByPyYaml, readByYamlLibrary, YAML_MISREAD, YAML_SYNTAX } from '../../../test/lib/yaml-readers';
import { isPlainYamlWord, toYaml, yamlDocument, yamlText } from '../src';

/** Strings that need no quotes but must come back as they are. */
const more = ['%x', '@x', '`x', "it's", '"q"', '---', '...', 'multi\nline', 'a\tb: c', '${x}', '%{x}'];
const hostile = [...YAML_MISREAD, ...YAML_SYNTAX, ...more];

describe('toYaml: YAML that YAML 1.1 and 1.2 readers read the same', () => {
  const asValues = Object.fromEntries(hostile.map((s, i) => [`k${i}`, s]));
  const asKeys = Object.fromEntries(hostile.map((s, i) => [s, i]));
  const inLists = { list: hostile };

  it.each([
    ['values', asValues],
    ['keys', asKeys],
    ['list items', inLists],
  ])('PyYAML reads every hostile string back as that string, as %s', (_what, value) => {
    expect(readByPyYaml(toYaml(value))).toEqual(value);
  });

  it.each([
    ['values', asValues],
    ['keys', asKeys],
    ['list items', inLists],
  ])('the yaml library reads them back under YAML 1.1 and 1.2, as %s', (_what, value) => {
    expect(readByYamlLibrary(toYaml(value))).toEqual({ v11: value, v12: value });
  });

  it('writes booleans and numbers as what they are', () => {
    const value = { on: true, off: false, count: 3, ratio: 1.5, none: null };
    expect(readByPyYaml(toYaml(value))).toEqual(value);
    expect(toYaml(value)).toContain('"on": true\n');
  });

  it('keeps a document built with yamlDocument (comments added) readable the same way', () => {
    const doc = yamlDocument({ user: 'on', name: 'no' });
    doc.commentBefore = ' a comment';
    expect(readByPyYaml(yamlText(doc))).toEqual({ user: 'on', name: 'no' });
  });
});

describe('isPlainYamlWord', () => {
  it.each([...YAML_MISREAD, ...YAML_SYNTAX])('is false for %j', (word) => expect(isPlainYamlWord(word)).toBe(false));

  it.each(['golyat-1', 'node', 'intel_mini_pc', 'linux-firmware', 'en*', 'nul', 'yess', 'o', '1-5', '1.36.1-1.1'])(
    'is true for %j',
    (word) => expect(isPlainYamlWord(word)).toBe(true),
  );
});
