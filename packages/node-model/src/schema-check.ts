import Ajv, { type ErrorObject } from 'ajv';
import type { ValidationIssue } from './errors';
import { formats } from './formats';
import { clusterSchema } from './schema';
import type { Cluster } from './types';

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format);
const validateShape = ajv.compile(clusterSchema);

/** What a value breaking a format is, where "is not a valid <format>" would not say why. */
const FORMAT_REASONS: Readonly<Record<string, string>> = {
  'yaml-plain-word':
    'is read as a boolean, null, number or date by a YAML 1.1 or 1.2 reader (Ansible, cloud-init): a name must be a plain word',
  'url-without-userinfo': 'has user information (user:password@): no credential goes in the model',
  'no-dkms-package':
    "is a DKMS package: it builds kernel modules outside the distribution's signed kernel packages, which Secure Boot's lockdown refuses to load (each would need a key enrolled on every machine); name the distribution's modules in kernel.modules instead",
};

/** `/nodes/3/ip` → `nodes[3].ip` */
function toPath(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(root)';
}

function toIssue(error: ErrorObject): ValidationIssue {
  const base = toPath(error.instancePath);
  switch (error.keyword) {
    case 'required': {
      const field = (error.params as { missingProperty: string }).missingProperty;
      return {
        path: base === '(root)' ? field : `${base}.${field}`,
        rule: 'required',
        message: 'is required but missing',
      };
    }
    case 'additionalProperties': {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      return {
        path: base === '(root)' ? field : `${base}.${field}`,
        rule: 'known-fields',
        message: 'is not a field of the model',
      };
    }
    case 'format': {
      const format = (error.params as { format: string }).format;
      const why = FORMAT_REASONS[format] ?? `is not a valid ${format}`;
      return { path: base, rule: format, message: `${JSON.stringify(error.data)} ${why}` };
    }
    case 'maxLength':
      return {
        path: base,
        rule: 'max-length',
        message: `is ${String(error.data).length} characters long; the limit is ${(error.params as { limit: number }).limit}`,
      };
    case 'enum':
      return {
        path: base,
        rule: 'enum',
        message: `${JSON.stringify(error.data)} is not one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { path: base, rule: error.keyword, message: `${error.message ?? 'is invalid'}` };
  }
}

/** Formats that refine another (schema.ts: `word()`, `url()`): said only of a value the other accepts. */
const REFINEMENTS: ReadonlySet<string> = new Set(['yaml-plain-word', 'url-without-userinfo', 'no-dkms-package']);

/** Checks the shape of an unknown value against the model's JSON schema. */
export function checkShape(value: unknown): { ok: true; cluster: Cluster } | { ok: false; issues: ValidationIssue[] } {
  if (validateShape(value)) return { ok: true, cluster: value };
  // A property name's own format error says what is wrong; ajv's `propertyNames` error only wraps it.
  const issues = (validateShape.errors ?? []).filter((e) => e.keyword !== 'propertyNames').map(toIssue);
  const refutedAlready = (i: ValidationIssue) =>
    REFINEMENTS.has(i.rule) && issues.some((j) => j.path === i.path && !REFINEMENTS.has(j.rule));
  return { ok: false, issues: issues.filter((i) => !refutedAlready(i)) };
}
