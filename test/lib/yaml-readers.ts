/**
 * The readers of the YAML the project writes, for tests: PyYAML's safe loader (what Ansible,
 * cloud-init and Subiquity read with) and the yaml library under YAML 1.1 and 1.2; and the
 * strings a YAML reader takes for something else when they are written plain.
 */
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';

/** What PyYAML's safe loader reads from a YAML text, as JSON (python3-yaml). */
export const readByPyYaml = (text: string): unknown =>
  JSON.parse(
    execFileSync(
      'python3',
      ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout, default=repr)'],
      { input: text },
    ).toString(),
  );

/** What PyYAML's safe loader reads from each of several YAML texts (one python3 run). */
export const readAllByPyYaml = (texts: readonly string[]): unknown[] =>
  JSON.parse(
    execFileSync(
      'python3',
      [
        '-c',
        'import json, sys, yaml; json.dump([yaml.safe_load(t) for t in json.load(sys.stdin)], sys.stdout, default=repr)',
      ],
      { input: JSON.stringify(texts) },
    ).toString(),
  );

/** What the yaml library reads from a YAML text under YAML 1.1 and under 1.2: both, to compare. */
export const readByYamlLibrary = (text: string): { v11: unknown; v12: unknown } => ({
  v11: parse(text, { version: '1.1' }),
  v12: parse(text, { version: '1.2' }),
});

/**
 * Strings a YAML reader resolves to another type when they are written plain, by class: YAML 1.1
 * booleans in each spelling, nulls, YAML 1.1 and 1.2 integers (decimal, signed, octal both ways,
 * hex, binary, with underscores, base 60) and floats (exponent, leading dot, infinities, NaN, base
 * 60), YAML 1.1 dates and timestamps, the merge key `<<` and PyYAML's value key `=`.
 */
export const YAML_MISREAD = [
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF'],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '~'],
  ...['0', '-0', '+1', '123', '017', '0o17', '0x1F', '0b101', '1_000', '1:20', '190:20:30'],
  ...['1.5', '1.36', '.5', '1e3', '1.0e+3', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', '1:20.5'],
  ...['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '<<', '='],
] as const;

/** Strings that are YAML syntax when written plain, or that a reader's scanner refuses plain (PyYAML: a tab). */
export const YAML_SYNTAX = [
  '',
  ' lead',
  'trail ',
  '#x',
  'a #b',
  'a: b',
  '- x',
  '? x',
  '[x]',
  '{x}',
  '&x',
  '*x',
  '!x',
  '|',
  '>',
  'tab\tx',
] as const;
