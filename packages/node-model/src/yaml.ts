import { Document, isScalar, Scalar, visit, type DocumentOptions, type SchemaOptions, type ScalarTag } from 'yaml';

/**
 * PyYAML (Ansible, cloud-init, Subiquity) resolves a plain `=` to YAML 1.1's value type
 * (`tag:yaml.org,2002:value`), which its loaders cannot construct: the file fails to load. As a
 * default tag of the output schema it makes the serializer quote a string `=`.
 */
const valueIndicator: ScalarTag = {
  tag: 'tag:yaml.org,2002:value',
  default: true,
  test: /^=$/,
  resolve: (value) => value,
};

/**
 * How every YAML file the project writes is made: YAML 1.2 (GitHub reads it) that a YAML 1.1
 * reader (Ansible, cloud-init and Subiquity, through PyYAML) reads the same. The yaml library's
 * `compat` schema quotes any string that YAML 1.1 would read as something else: `on`, `no`,
 * `y`, `~`, `0o17`, `1:20`, `2001-12-14`, `<<`...; the core schema quotes what YAML 1.2 would
 * (`true`, `null`, `1.36`, `0x1F`); and `=` is quoted too.
 */
export const YAML_DOCUMENT_OPTIONS: DocumentOptions & SchemaOptions = {
  compat: 'yaml-1.1',
  customTags: (tags) => [...tags, valueIndicator],
};

/** A YAML document of `value`, made with YAML_DOCUMENT_OPTIONS (comments and styles can be added before it is written). */
export const yamlDocument = (value: unknown): Document => new Document(value, YAML_DOCUMENT_OPTIONS);

/**
 * The text of a document: no line folding (a long command or URL stays on its line). A string
 * with a tab is double-quoted (`\t`): PyYAML's scanner refuses a tab in a plain scalar.
 */
export function yamlText(doc: Document): string {
  visit(doc, {
    Scalar(_, node) {
      if (isScalar(node) && typeof node.value === 'string' && node.value.includes('\t')) {
        node.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** `value` as YAML text, for a YAML 1.2 and a YAML 1.1 reader alike. */
export const toYaml = (value: unknown): string => yamlText(yamlDocument(value));

/**
 * Whether a word is written as it is (unquoted) and read back as the same string by YAML 1.1
 * and 1.2 readers: `golyat-1` is, `no`, `on`, `null`, `1.5` and `1_000` are not.
 */
export const isPlainYamlWord = (word: string): boolean => toYaml(word) === `${word}\n`;
